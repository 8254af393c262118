// The small-stack `xsnap-worker`: the XS engine that @agoric/xsnap@0.15.0 builds, with one
// change: the JavaScript stack's size (xsCreation.stackCount, fixed at 4,096 slots in
// xsnap-worker.c) comes from a command-line flag, `--stack <slots>`. A Moddable app gets
// the stack its manifest's `creation.stack` declares (384 slots by default) and aborts
// when a chain of calls needs more; with this worker the tests run the core at that size.
//
// The same count means the same room for the code: a Moddable app's machine is a clone of
// the preloaded one, and a clone keeps XS's intrinsics (XS_INTRINSICS_COUNT slots: 76 in
// XS 13.3) on the preloaded machine's stack (xsAPI.c, fxCloneMachine: stackIntrinsics),
// while xsnap's machine is created fresh and holds them on its own. So `--stack N` gives a
// call N + XS_INTRINSICS_COUNT slots from the stack's top. What remains on xsnap's side
// (its host frame, the XS bridge's dispatch) makes it a little stricter than the device,
// never more lenient. Only calls into handleCommand are limited: evaluating the bundle
// itself (one function whose frame holds every module-level name) is what a Moddable
// build does at preload time, not on the board.
//
// Built from the package's own sources (node_modules/@agoric/xsnap: its XS tree and
// xsnap-native), never from the network, once per machine, into
//   $HOME/.cache/cellmail/xsnap-stack-<hash>/xsnap-worker
// where <hash> covers the sources, the build flags and the patch below: a change to any of
// them builds a new one, and a clean clone finds the one already built. A lock directory
// next to it keeps parallel test workers, and other worktrees on the machine, from
// building it twice; the binary appears under its final name only when complete.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { xsnapWorkerPath } from "./worker.js";

/** The flag the patched worker takes; without it the stack is the package's 4,096 slots. */
export const STACK_FLAG = "--stack";

/**
 * The text edits to xsnap-worker.c: [anchor, replacement]. Each anchor must occur exactly
 * once. INTRINSICS is replaced by XS_INTRINSICS_COUNT of the XS sources (intrinsicsCount()).
 * The machine is still created with the package's 4,096 slots, so that scripts evaluated
 * with `e` (the code being loaded: on a Moddable board that happens when the app is built,
 * by preloading) have room; `--stack N` limits the calls to handleCommand (`?`, what runs
 * on the board) by raising the stack's bottom for the time of each call.
 */
const PATCH: [string, string][] = [
  [
    "\tint parserBufferSize = 8192 * 1024;\n",
    "\tint parserBufferSize = 8192 * 1024;\n\tint stackLimit = 0; /* cellmail: --stack <slots> */\n",
  ],
  [
    '\t\telse if (!strcmp(argv[argi], "-v")) {\n',
    '\t\telse if (!strcmp(argv[argi], "--stack")) {\n' +
      "\t\t\targi++;\n" +
      "\t\t\tif (argi < argc && atoi(argv[argi]) > 0 && atoi(argv[argi]) <= 4096 - INTRINSICS)\n" +
      "\t\t\t\tstackLimit = atoi(argv[argi]) + INTRINSICS; /* XS_INTRINSICS_COUNT: as a Moddable clone, see stack-worker.ts */\n" +
      "\t\t\telse {\n" +
      "\t\t\t\txsPrintUsage();\n" +
      "\t\t\t\treturn E_BAD_USAGE;\n" +
      "\t\t\t}\n" +
      "\t\t}\n" +
      '\t\telse if (!strcmp(argv[argi], "-v")) {\n',
  ],
  [
    "\t\t\t\terror = 0;\n\t\t\t\txsBeginHost(machine);\n",
    "\t\t\t\terror = 0;\n" +
      "\t\t\t\txsSlot* fullBottom = machine->stackBottom; /* cellmail: --stack limits handleCommand */\n" +
      "\t\t\t\tif (stackLimit > 0 && command == '?')\n" +
      "\t\t\t\t\tmachine->stackBottom = machine->stackTop - stackLimit;\n" +
      "\t\t\t\tc_memset(fullBottom, 0xA5, (char*)machine->stack - (char*)fullBottom); /* cellmail: stackPeak */\n" +
      "\t\t\t\txsBeginHost(machine);\n",
  ],
  [
    "\t\t\t\txsEndHost(machine);\n\t\t\t\tif (error) {\n",
    "\t\t\t\txsEndHost(machine);\n" +
      "\t\t\t\tmachine->stackBottom = fullBottom;\n" +
      "\t\t\t\t{ /* cellmail: stackPeak, the deepest slot written below the stack of the call, counted as --stack counts */\n" +
      "\t\t\t\t\t/* downwards from where the call began: number conversions (xsdtoa.c) and RegExp (xsre.c) use the\n" +
      "\t\t\t\t\t   stack's far end as scratch, which is not part of the calls' depth */\n" +
      "\t\t\t\t\txsSlot* low = machine->stack;\n" +
      "\t\t\t\t\twhile (low > fullBottom) {\n" +
      "\t\t\t\t\t\tunsigned char* b = (unsigned char*)(low - 1);\n" +
      "\t\t\t\t\t\tsize_t k = 0;\n" +
      "\t\t\t\t\t\twhile (k < sizeof(xsSlot) && b[k] == 0xA5) k++;\n" +
      "\t\t\t\t\t\tif (k == sizeof(xsSlot)) break;\n" +
      "\t\t\t\t\t\tlow--;\n" +
      "\t\t\t\t\t}\n" +
      "\t\t\t\t\tgxStackPeak = (int)(machine->stackTop - low) - INTRINSICS;\n" +
      "\t\t\t\t}\n" +
      "\t\t\t\tif (error) {\n",
  ],
  ["static void fxSigPipeHandler(int sigNum);\n", "static void fxSigPipeHandler(int sigNum);\nstatic int gxStackPeak = -1; /* cellmail */\n"],
  ['\t\t\t\t  "\\"currentHeapCount\\":%u,"\n', '\t\t\t\t  "\\"stackPeak\\":%d,"\n\t\t\t\t  "\\"currentHeapCount\\":%u,"\n'],
  ["\t\t\t fxGetCurrentHeapCount(the),\n", "\t\t\t gxStackPeak, fxGetCurrentHeapCount(the),\n"],
];

/** Apply PATCH to the worker's source; throws when the source no longer has an anchor (a new package version). */
export function patchWorkerSource(source: string, intrinsics: number): string {
  let out = source;
  for (const [anchor, template] of PATCH) {
    const replacement = template.split("INTRINSICS").join(String(intrinsics));
    const at = out.indexOf(anchor);
    if (at < 0 || out.indexOf(anchor, at + 1) >= 0) {
      throw new Error(`xsnap-worker.c: the patch anchor ${JSON.stringify(anchor.trim())} is not there exactly once (is @agoric/xsnap still 0.15.0?)`);
    }
    out = out.slice(0, at) + replacement + out.slice(at + anchor.length);
  }
  return out;
}

/** The package directory: .../node_modules/@agoric/xsnap (found from its release binary). */
function packageDir(): string {
  // <pkg>/xsnap-native/xsnap/build/bin/<platform>/release/xsnap-worker
  let dir = dirname(xsnapWorkerPath());
  for (let i = 0; i < 6; i++) dir = dirname(dir);
  return dir;
}

function hashTree(hash: ReturnType<typeof createHash>, root: string, rel = ""): void {
  const dir = join(root, rel);
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path).isDirectory()) hashTree(hash, root, r);
    else {
      hash.update(r + "\0");
      hash.update(readFileSync(path));
    }
  }
}

/** The cache key: the XS sources, the worker's sources and makefile, the build flags and the patch. */
function sourceHash(pkg: string): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(PATCH));
  hashTree(hash, join(pkg, "moddable", "xs", "sources"));
  hashTree(hash, join(pkg, "moddable", "xs", "includes"));
  hashTree(hash, join(pkg, "xsnap-native", "xsnap", "sources"));
  hash.update(readFileSync(join(pkg, "xsnap-native", "xsnap", "makefiles", "lin", "xsnap-worker.mk")));
  const env = join(pkg, "build.config.env");
  if (existsSync(env)) hash.update(readFileSync(env));
  return hash.digest("hex").slice(0, 16);
}

export function cacheRoot(): string {
  return join(process.env.CELLMAIL_CACHE ?? join(homedir(), ".cache", "cellmail"));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Take the build lock (a directory holding the owner's pid), or wait until its owner has
 * finished. Returns false when the binary appeared while waiting. A lock whose owner died
 * is taken over.
 */
function lockOrWait(lock: string, binary: string, log: (line: string) => void): boolean {
  let said = false;
  for (;;) {
    if (existsSync(binary)) return false;
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, "pid"), "utf8"));
    } catch {
      // the owner is between mkdir and writing its pid, or just removed the lock
    }
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!said) {
      log(`xsnap-worker (small stack): another process is building it (lock ${lock}); waiting`);
      said = true;
    }
    sleepMs(500);
  }
}

/**
 * XS_INTRINSICS_COUNT of the package's XS sources: an enum value in xsCommon.h, so a small
 * program compiled against the same headers prints it (the worker's own file cannot include
 * xsAll.h next to xs.h).
 */
function intrinsicsCount(pkg: string, work: string): number {
  const xs = join(pkg, "moddable", "xs");
  const src = join(work, "intrinsics.c");
  const bin = join(work, "intrinsics");
  writeFileSync(src, '#include "xsAll.h"\n#include <stdio.h>\nint main(void) { printf("%d\\n", (int)XS_INTRINSICS_COUNT); return 0; }\n');
  execFileSync("cc", [
    "-DINCLUDE_XSPLATFORM", '-DXSPLATFORM="xsnapPlatform.h"', "-DmxMetering=1", "-DmxDebug=1", "-DmxParse=1", "-DmxRun=1",
    "-DmxSloppy=1", "-DmxSnapshot=1", `-I${join(xs, "includes")}`, `-I${join(xs, "platforms")}`, `-I${join(xs, "sources")}`,
    `-I${join(pkg, "xsnap-native", "xsnap", "sources")}`, src, "-o", bin,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const n = Number(execFileSync(bin, { encoding: "utf8" }).trim());
  if (!Number.isInteger(n) || n <= 0 || n > 1000) throw new Error(`XS_INTRINSICS_COUNT: unexpected ${n}`);
  return n;
}

function build(pkg: string, target: string, log: (line: string) => void): void {
  const work = `${target}.build-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  // The worker's makefile puts its output next to its own tree (../../build), so the tree is copied.
  const tree = join(work, "xsnap");
  cpSync(join(pkg, "xsnap-native", "xsnap", "sources"), join(tree, "sources"), { recursive: true });
  cpSync(join(pkg, "xsnap-native", "xsnap", "makefiles"), join(tree, "makefiles"), { recursive: true });
  const source = join(tree, "sources", "xsnap-worker.c");
  writeFileSync(source, patchWorkerSource(readFileSync(source, "utf8"), intrinsicsCount(pkg, work)));
  const started = Date.now();
  log(`xsnap-worker (small stack): building once for this machine into ${target} (about a minute)`);
  execFileSync(
    "make",
    [
      `MODDABLE=${join(pkg, "moddable")}`,
      "GOAL=release",
      "XSNAP_VERSION=0.15.0",
      'CC=cc "-D__has_builtin(x)=1"',
      "-j2",
      "-f",
      "xsnap-worker.mk",
    ],
    { cwd: join(tree, "makefiles", "lin"), stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 },
  );
  const built = join(tree, "build", "bin", "lin", "release", "xsnap-worker");
  if (!existsSync(built)) throw new Error(`xsnap-worker (small stack): make finished but ${built} is missing`);
  mkdirSync(target, { recursive: true });
  // Under its final name only when complete: a reader never sees half a binary.
  renameSync(built, join(target, "xsnap-worker.tmp"));
  renameSync(join(target, "xsnap-worker.tmp"), join(target, "xsnap-worker"));
  rmSync(work, { recursive: true, force: true });
  log(`xsnap-worker (small stack): built in ${Math.round((Date.now() - started) / 1000)} s`);
}

let known: string | null = null;

/**
 * Path of the small-stack worker, built first when this machine has none for the
 * installed sources (blocking; about a minute once). Linux only, like the tests.
 */
export function stackWorkerPath(log: (line: string) => void = (line) => process.stderr.write(line + "\n")): string {
  if (known !== null && existsSync(known)) return known;
  if (process.platform !== "linux") throw new Error("the small-stack xsnap-worker is built for Linux only");
  const pkg = packageDir();
  const target = join(cacheRoot(), `xsnap-stack-${sourceHash(pkg)}`);
  const binary = join(target, "xsnap-worker");
  if (!existsSync(binary)) {
    mkdirSync(cacheRoot(), { recursive: true });
    const lock = `${target}.lock`;
    if (lockOrWait(lock, binary, log)) {
      try {
        if (!existsSync(binary)) build(pkg, target, log);
      } catch (e) {
        const err = e as Error & { stderr?: Buffer };
        const lines = err.stderr ? err.stderr.toString("utf8").split("\n").filter((l) => !/__has_builtin|^<command-line>/.test(l)) : [];
        const tail = lines.length ? `\n${lines.join("\n").slice(-2000)}` : "";
        throw new Error(`xsnap-worker (small stack): build failed: ${err.message.split("\n")[0]}${tail}`);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
  }
  known = binary;
  return binary;
}

/** The worker's arguments for a stack of `slots` (none for the package's own 4,096). */
export function stackArgs(slots: number | undefined): string[] {
  if (slots === undefined) return [];
  if (!Number.isInteger(slots) || slots < 16) throw new Error(`XS stack: ${slots} slots (a whole number >= 16)`);
  return [STACK_FLAG, String(slots)];
}
