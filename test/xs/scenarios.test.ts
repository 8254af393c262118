// Every bundled scenario runs the firmware core twice against the same simulated module:
// in this Node process and inside real XS (xsnap-worker, through the XS bridge). Both
// runs must pass the scenario's expectations, and the UART transcripts must be
// byte-identical (DESIGN.md section 1; issue 5 section 5). The job outcomes and the
// firmware's log lines (with their virtual timestamps) must match too.
//
// The XS run has the stack of a Moddable board, less the margin: the small-stack worker
// (host-sim/xs/stack-worker.ts) at floor(creation.stack / 1.5) slots of cellmail's library
// manifest (host-sim/xs/device-stack.ts). A step that needs more ends the worker ("stack
// overflow") and fails the scenario; passing proves the manifest's stack keeps the margin.
//
// One bundle of the core serves all XS runs (built once per process); each XS session
// starts its own worker (a few ms). Sessions are independent (own clock, SMTP server,
// worker), so scenarios run a few at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliesTo, bundledScenarios } from "../../host-sim/scenarios/scenario.js";
import { runSession } from "../../host-sim/runner/session.js";
import { xsFirmwareBundle } from "../../host-sim/xs/firmware.js";
import { base64Decode } from "../../host-sim/xs/device/platform/base64.js";
import { XsClock } from "../../host-sim/xs/device/platform/clock.js";
import type { XsChannel } from "../../host-sim/xs/device/platform/protocol.js";
import { checkEspruinoScript } from "../build/espruino-gate.js";
import { observable } from "../e2e/support.js";
import { manifestStackSlots, testedStackSlots } from "../../host-sim/xs/device-stack.js";

// The full profile's run (the compact profile's: test/compact/scenarios.test.ts).
const scenarios = bundledScenarios()
  .map((b) => b.scenario)
  .filter((s) => appliesTo(s, "full"));
let started = 0;
const stackSlots = testedStackSlots();
let stackPeak = 0;

describe.concurrent("every scenario on Node and in XS", () => {
  beforeAll(async () => {
    started = performance.now();
    await xsFirmwareBundle();
  });
  afterAll(() => {
    console.log(
      `xs scenarios: ${scenarios.length} scenarios on both engines in ${Math.round(performance.now() - started)} ms; ` +
        `XS stack ${stackSlots} slots (creation.stack ${manifestStackSlots()} / 1.5), deepest step ${stackPeak}`,
    );
  });

  it("has the bundled scenarios", () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const [node, xs] = await Promise.all([runSession({ scenario, engine: "node" }), runSession({ scenario, engine: "xs", xsStackSlots: stackSlots })]);
      expect(xs.engine).toBe("xs");
      expect(xs.xsStackPeak).toBeGreaterThan(0);
      expect(xs.xsStackPeak).toBeLessThanOrEqual(stackSlots);
      stackPeak = Math.max(stackPeak, xs.xsStackPeak ?? 0);
      // Byte-identical UART transcripts (compared whole, nothing stripped).
      if (xs.transcript !== node.transcript) {
        const a = node.transcript.split("\n");
        const b = xs.transcript.split("\n");
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        expect.fail(`transcripts differ at line ${i + 1}:\n node: ${a[i]}\n xs:   ${b[i]}`);
      }
      expect(observable(xs)).toEqual(observable(node));
      expect(node.expectFailures, `node: ${node.expectFailures.join("; ")}`).toEqual([]);
      expect(xs.expectFailures, `xs: ${xs.expectFailures.join("; ")}`).toEqual([]);
      expect(node.ok && xs.ok).toBe(true);
    });
  }
});

describe("XS bridge pieces", () => {
  it("base64Decode (attachments cross into XS as base64) matches Buffer for every length and byte value", () => {
    for (let n = 0; n < 300; n++) {
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = (i * 151 + n * 7) & 0xff;
      const b64 = bytes.toString("base64");
      expect(Buffer.from(base64Decode(b64)).equals(bytes)).toBe(true);
      expect(Buffer.from(base64Decode(bytes.toString("base64url"))).equals(bytes)).toBe(true);
    }
    expect(() => base64Decode("ab$c")).toThrow(/bad character/);
    expect(() => base64Decode("abcde")).toThrow(/truncated/);
  });

  it("XsClock: timers go to the host by id; a cleared or already fired timer's id is ignored", () => {
    const sent: string[] = [];
    const channel = {
      now: 12.5,
      setTimer: (id: number, ms: number) => sent.push(`t ${id} ${ms}`),
      clearTimer: (id: number) => sent.push(`c ${id}`),
    } as unknown as XsChannel;
    const clock = new XsClock(channel);
    const fired: string[] = [];
    const a = clock.setTimer(10, () => fired.push("a")) as number;
    const b = clock.setTimer(0.25, () => fired.push("b")) as number;
    expect(clock.now()).toBe(12.5);
    expect(sent).toEqual([`t ${a} 10`, `t ${b} 0.25`]);
    clock.clearTimer(a);
    clock.clearTimer(a); // harmless twice
    expect(sent).toEqual([`t ${a} 10`, `t ${b} 0.25`, `c ${a}`]);
    clock.fire(a); // stale: cleared
    clock.fire(b);
    clock.fire(b); // stale: fired already
    // The slot of `a` is reused with a new id; the old id still does nothing.
    const c = clock.setTimer(5, () => fired.push("c")) as number;
    expect(c % 64).toBe(a % 64);
    expect(c).not.toBe(a);
    clock.fire(a);
    clock.fire(c);
    expect(fired).toEqual(["b", "c"]);
    expect(clock.armed).toBe(0);
  });

  it("the XS bundle is ES2015 within the core's rules and reaches only the worker's globals", async () => {
    const code = await xsFirmwareBundle();
    const problems = checkEspruinoScript(code)
      // XS globals of xsnap-worker (the bridge's transport and the gc hook).
      .filter((v) => !(v.rule === "unknown-global" && /^(issueCommand|gc) is/.test(v.message)))
      // An Espruino-only limit that the core's UTF-8 decoder already respects (chunks of 250).
      .filter((v) => v.rule !== "fromCharCode-apply");
    expect(problems.map((v) => `${v.rule} @${v.at}: ${v.message}`)).toEqual([]);
  });
});
