// The Espruino console protocol (host-sim/espruino/console.ts) against a scripted board on
// a pseudo-terminal pair (socat): what goes over the wire, XON/XOFF flow control (the real
// Linux interpreter never sends XOFF, a board with a full receive buffer does), and the
// board's error reports. The real interpreter runs it in test/espruino/flash.test.ts.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SerialPort } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleError, EspruinoConsole } from "../../host-sim/espruino/console.js";
import { PtyPair, SOCAT } from "../../host-sim/cli/pty.js";

const XOFF = "\x13";
const XON = "\x11";

/** A board played by the test: what it received, and a way to answer. */
interface ScriptedBoard {
  received(): string;
  say(text: string): Promise<void>;
  /** Resolves once the received text matches. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function pair(): Promise<{ console: EspruinoConsole; board: ScriptedBoard }> {
  const dir = mkdtempSync(path.join(tmpdir(), "cellmail-console-"));
  const pty = await PtyPair.open({ clientLink: path.join(dir, "console"), moduleLink: path.join(dir, "board") });
  const port = new SerialPort({ path: pty.moduleLink, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  let got = "";
  const listeners = new Set<() => void>();
  port.on("data", (b: Buffer) => {
    got += b.toString("latin1");
    for (const l of listeners) l();
  });
  const console = await EspruinoConsole.open({ path: pty.clientLink, baud: 115200 });
  cleanup.push(async () => {
    await console.close();
    await new Promise((r) => port.close(r));
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const board: ScriptedBoard = {
    received: () => got,
    say: (text) => new Promise((resolve, reject) => port.write(text, (err) => (err ? reject(err) : port.drain(() => resolve())))),
    waitFor: (re, ms = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(got);
          if (!m) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(m);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`the scripted board did not receive ${re} within ${ms} ms; it got ${JSON.stringify(got)}`));
        }, ms);
        listeners.add(check);
        check();
      }),
  };
  return { console, board };
}

/** Answer the acknowledgement line number `n` as a board does: the marker, the value, the prompt. */
async function ack(board: ScriptedBoard, value = ""): Promise<void> {
  const [, n] = await board.waitFor(/print\("<cm"\+":(\d+)>"[^\n]*\n$/);
  await board.say(`<cm:${n}>${value}\r\n>`);
}

describe.skipIf(!existsSync(SOCAT))("the Espruino console protocol (a scripted board on a pseudo-terminal)", () => {
  it("hello: Ctrl-C, then \\x10 lines (echo(1), the acknowledged question); the answer needs the marker and the > prompt", async () => {
    const { console, board } = await pair();
    const hello = console.hello(5000);
    await board.waitFor(/\x10print\(/);
    expect(board.received()).toMatch(/^\x03\x10echo\(1\)\n\x10print\("<cm"\+":1>"\+\(process\.version\+[^\n]*\)\)\n$/);
    await board.say("<cm:1>2v29.277 PICO_R1_3, 5100 variables\r\n"); // no prompt yet: not answered
    await new Promise((r) => setTimeout(r, 200));
    let answered = false;
    void hello.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    await board.say(">");
    expect(await hello).toBe("2v29.277 PICO_R1_3, 5100 variables");
  });

  it("XOFF from the board holds the upload until XON; the flow-control bytes are not part of the output", async () => {
    const { console, board } = await pair();
    await board.say(`>${XOFF}`); // its receive buffer is full
    await new Promise((r) => setTimeout(r, 200));
    const line = "x".repeat(3000); // several chunks
    const run = console.run(line, "", 10_000, "the upload");
    await new Promise((r) => setTimeout(r, 500));
    expect(board.received()).toBe(""); // nothing while held
    await board.say(XON);
    await ack(board);
    await run;
    expect(board.received()).toBe(`\x10${line}\n\x10print("<cm"+":1>"+(""))\n`);
    expect(console.output()).not.toMatch(/[\x11\x13]/);
  });

  it("a board that holds the line (XOFF) longer than the timeout: no-answer, not a hang", async () => {
    const { console, board } = await pair();
    await board.say(XOFF);
    await new Promise((r) => setTimeout(r, 200));
    const run = console.run("x".repeat(3000), "", 600, "the upload");
    await expect(run).rejects.toMatchObject({ kind: "no-answer", message: "the board held the line (XOFF) for 0.6 s (the upload)" });
    expect(board.received()).toBe("");
  });

  it("reset(): a log line of the program still running (it ends in a prompt too) does not let the next line go before reset's own prompt", async () => {
    const { console, board } = await pair();
    const reset = console.reset(5000).then(() => console.run("", "1", 5000, "after reset()"));
    await board.waitFor(/^\x10reset\(\)\n$/);
    await board.say("\r\x1b[Jinfo mail delivered\r\n>"); // the old program, just before the reset
    await new Promise((r) => setTimeout(r, 150));
    await board.say("\r\n ____ \r\n 2v29.277 (c) 2026 G.Williams\r\n\r\n>");
    await new Promise((r) => setTimeout(r, 150));
    expect(board.received()).toBe("\x10reset()\n"); // still resetting for all it knows
    await ack(board, "1");
    expect(await reset).toBe("1");
  });

  it("the board's own error reports fail the line at once: Uncaught ... and OUT OF MEMORY", async () => {
    const { console, board } = await pair();
    // Each outcome is taken as the line starts: the board's report can end it while the test is
    // still awaiting its own writes, and a rejection nobody holds yet is an unhandled one.
    const first = console.run("startModem()", "", 10_000, "a line").then(
      () => null,
      (e: unknown) => e,
    );
    await board.waitFor(/startModem\(\)\n/);
    await board.say('Uncaught ReferenceError: "startModem" is not defined\r\n at line 1 col 11\r\n');
    const e1 = await first;
    expect(e1).toBeInstanceOf(ConsoleError);
    expect(e1).toMatchObject({ kind: "uncaught", message: 'the board reported an error: Uncaught ReferenceError: "startModem" is not defined' });

    const second = console.run("var big=[]", "", 10_000, "another line").then(
      () => null,
      (e: unknown) => e,
    );
    await board.waitFor(/var big=\[\]\n/);
    await board.say("\r\nERROR: Out of Memory!\r\n");
    const e2 = await second;
    expect(e2).toBeInstanceOf(ConsoleError);
    expect(e2).toMatchObject({ kind: "out-of-memory", message: "the board ran out of memory: ERROR: Out of Memory!" });
  });
});
