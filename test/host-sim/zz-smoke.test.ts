import { it } from "vitest";
import { makeHarness } from "/work/main/test/host-sim/harness.js";
it("smoke", async () => {
  const h = await makeHarness({ modem: { urcPort: "uart1" } });
  console.log(JSON.stringify(h.rx()));
  for (const c of ["AT", "ATE0", "AT+CMEE=2", "AT+CPIN?", "AT+QIACT=1", "AT+QIACT?", 'AT+QICSGP=1,1,"UNINET","", "",1', "AT+QICSGP=1", "ATI", "AT+FOO", "AT+QSMTPCFG=?", 'AT+QSMTPDST=1,1,"a@b.c"', 'AT+QSMTPSUB=0,"TEST SMTP"', "AT+QSMTPSUB?"])
    console.log(JSON.stringify(await h.cmd(c)));
  console.log(JSON.stringify(await h.cmd("AT+QSMTPBODY=0,5,10", { until: "CONNECT\r\n" })));
  await h.write("Hello");
  console.log(JSON.stringify(await h.runUntil("OK\r\n")));
  console.log(JSON.stringify(await h.cmd("AT+QSMTPPUT=300")));
  console.log(JSON.stringify(await h.runUntil("+QSMTPPUT:")), h.clock.now());
  console.log(h.sim.transcript.render());
});
