// `cellmail flash moddable --config board.json --platform esp32|lin [--port PATH] [-- mcconfig options]`:
// the Moddable build of a board's configuration, from the same CLI as the rest.
//
// 1. The configuration is checked with the board's own validator (every problem with its
//    field path, exit 2): a board never starts with one it would refuse.
// 2. The Moddable SDK is found through $MODDABLE, else at $HOME/.cache/cellmail/moddable-sdk
//    (where ../shared/tools/moddable/build-sdk.sh builds the `lin` tools); for esp32 the
//    ESP-IDF through $IDF_PATH. Anything missing is said plainly, with what to do (exit 2).
// 3. dist/moddable/ is built (rollup's moddable config, as `npm run build` does).
// 4. An app manifest is written to <out>/cellmail/manifest.json (mode 0600: it holds the
//    passwords the board needs): manifest_base, then cellmail's library manifest
//    (manifests/moddable/cellmail.json: its creation.stack counts), the bundled app's main,
//    and the configuration under config.cellmail. mcconfig's own key=value overrides are
//    flat strings and cannot carry a configuration object, hence the manifest.
// 5. mcconfig runs: esp32 `-d -m` (build and flash; --port is the board's serial port,
//    UPLOAD_PORT); lin `-d` and then make's `build` target (not `all`, which in a debug
//    build kills every running mcsim and serial2xsbug on the machine); --port is the LTE
//    module's device (lteDevice). `--run` (lin) then runs the app in mcsim, under
//    `xvfb-run -a` when there is no display, until it is stopped.
// Options after `--` go to mcconfig as they are (flat settings such as ltePort=1 or
// gpioRoot=/path/, or mcconfig flags).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { Command, Option } from "commander";
import { validateConfig } from "../../firmware/ext/validate/validate.js";
import { REPO_ROOT } from "../repo.js";
import { LIBRARY_MANIFEST } from "../xs/device-stack.js";
import { printProblems, readJson } from "./config.js";
import { buildTarget } from "./build-target.js";

export const PLATFORMS = ["esp32", "lin"] as const;
export type FlashPlatform = (typeof PLATFORMS)[number];

export const APP_MAIN = path.join(REPO_ROOT, "manifests", "moddable", "app", "main");
/** Where build-sdk.sh puts the SDK when $MODDABLE is not set. */
export function cachedSdk(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.HOME ?? homedir(), ".cache", "cellmail", "moddable-sdk");
}

export interface ModdableSdk {
  root: string;
  /** The SDK's host tools (mcconfig, mcsim). */
  bin: string;
}

/** The Moddable SDK with its `lin` host tools built, or why there is none. */
export function findModdableSdk(env: NodeJS.ProcessEnv = process.env): ModdableSdk | { problem: string } {
  const fromEnv = env.MODDABLE;
  const cached = cachedSdk(env);
  const root = fromEnv ? path.resolve(fromEnv) : cached;
  const bin = path.join(root, "build", "bin", "lin", "release");
  if (!existsSync(root)) {
    return {
      problem: fromEnv
        ? `MODDABLE is ${fromEnv}, which does not exist`
        : `MODDABLE is not set and there is no SDK at ${cached}: install the Moddable SDK 8.2.x and set MODDABLE ` +
          `(docs/targets.md), or build its Linux tools there with ../shared/tools/moddable/build-sdk.sh`,
    };
  }
  if (!existsSync(path.join(bin, "mcconfig"))) {
    return { problem: `the Moddable SDK at ${root} has no built tools (${path.join(bin, "mcconfig")} is missing): build them (docs/targets.md)` };
  }
  return { root, bin };
}

/** The ESP-IDF the Moddable esp32 build needs, or why there is none. */
export function findEspIdf(env: NodeJS.ProcessEnv = process.env): { root: string } | { problem: string } {
  const idf = env.IDF_PATH;
  if (!idf) {
    return { problem: "IDF_PATH is not set: install the ESP-IDF the Moddable SDK names for esp32 and source its export.sh (docs/targets.md)" };
  }
  if (!existsSync(path.join(idf, "tools", "idf.py"))) return { problem: `IDF_PATH is ${idf}, which is not an ESP-IDF (no tools/idf.py)` };
  return { root: idf };
}

/** The app manifest for one board: the library with this configuration. */
export function appManifest(config: unknown): object {
  return {
    include: ["$(MODDABLE)/examples/manifest_base.json", LIBRARY_MANIFEST],
    modules: { "*": [APP_MAIN] },
    config: { cellmail: config },
  };
}

/** Build dist/moddable/ with the repository's rollup configuration (as `npm run build`). */
export function buildModdableModules(): Promise<void> {
  return buildTarget("moddable");
}

export interface FlashOptions {
  config: string;
  platform: FlashPlatform;
  port?: string;
  out?: string;
  run?: boolean;
  dryRun?: boolean;
}

export interface FlashPlan {
  manifest: string;
  /** mcconfig's -o. */
  build: string;
  /** mcconfig's arguments. */
  mcconfig: string[];
  env: Record<string, string>;
  /** lin: the makefile mcconfig writes, and the app it builds. */
  makefile?: string;
  app?: string;
}

/** What flash will run, from the options and the extra mcconfig arguments. */
export function flashPlan(o: FlashOptions, extra: string[]): FlashPlan {
  const out = path.resolve(o.out ?? path.join(".cellmail", "flash", o.platform));
  const manifest = path.join(out, "cellmail", "manifest.json");
  const build = path.join(out, "build");
  if (o.platform === "esp32") {
    return {
      manifest,
      build,
      mcconfig: ["-d", "-m", "-p", "esp32", "-o", build, manifest, ...extra],
      env: o.port ? { UPLOAD_PORT: o.port } : {},
    };
  }
  const lin = ["-d", "-p", "lin", "-o", build, manifest];
  if (o.port) lin.push(`lteDevice=${o.port}`);
  return {
    manifest,
    build,
    mcconfig: [...lin, ...extra],
    env: {},
    makefile: path.join(build, "tmp", "lin", "mc", "debug", "cellmail", "makefile"),
    app: path.join(build, "bin", "lin", "mc", "debug", "cellmail", "mc.so"),
  };
}

/** The command line that runs a lin build in mcsim (headless when there is no display). */
export function mcsimCommand(sdk: ModdableSdk, app: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const mcsim = ["stdbuf", "-o0", "-e0", path.join(sdk.bin, "mcsim"), app];
  return env.DISPLAY ? mcsim : ["xvfb-run", "-a", ...mcsim];
}

function say(line: string): void {
  process.stdout.write(line + "\n");
}

/** Say what went wrong; the exit status (2: usage, configuration, missing tools; 1: a tool failed). */
function fail(line: string, status = 2): number {
  process.stderr.write(`cellmail flash moddable: ${line}\n`);
  return status;
}

function runTool(args: string[], env: NodeJS.ProcessEnv, cwd?: string): number {
  const r = spawnSync(args[0], args.slice(1), { stdio: "inherit", env, cwd });
  if (r.error) throw new Error(`${args[0]}: ${r.error.message}`);
  return r.status ?? 1;
}

/** Run the app in mcsim until it ends or this process is asked to stop. */
function runApp(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: "inherit", env });
    const stop = () => child.kill("SIGTERM");
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    child.once("exit", (code, signal) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal ? 0 : (code ?? 1));
    });
  });
}

export async function runFlashModdable(o: FlashOptions, extra: string[], procEnv: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (!PLATFORMS.includes(o.platform)) return fail(`--platform must be esp32 or lin (got ${o.platform})`);
  if (o.run && o.platform !== "lin") return fail("--run is for --platform lin (a board runs the app once flashed)");
  const raw = readJson(o.config);
  const checked = validateConfig(raw);
  if (checked.config === null) {
    printProblems(o.config, checked.errors);
    return 2;
  }
  const plan = flashPlan(o, extra);
  const sdk = findModdableSdk(procEnv);
  if (!o.dryRun && "problem" in sdk) return fail(sdk.problem);
  if (!o.dryRun && o.platform === "esp32") {
    const idf = findEspIdf(procEnv);
    if ("problem" in idf) return fail(idf.problem);
  }

  // The validated configuration as written (defaults are filled in on the board).
  mkdirSync(path.dirname(plan.manifest), { recursive: true });
  writeFileSync(plan.manifest, JSON.stringify(appManifest(raw), null, 2) + "\n", { mode: 0o600 });
  chmodSync(plan.manifest, 0o600);
  say(`${o.config}: configuration OK`);
  say(`app manifest: ${plan.manifest} (includes ${path.relative(process.cwd(), LIBRARY_MANIFEST)}; holds the passwords: mode 0600)`);
  const envText = Object.entries(plan.env).map(([k, v]) => `${k}=${v} `).join("");
  say(`mcconfig: ${envText}mcconfig ${plan.mcconfig.join(" ")}`);
  if (plan.makefile) say(`make: make -f ${plan.makefile} build`);
  if (o.dryRun) return 0;

  const found = sdk as ModdableSdk;
  const env: NodeJS.ProcessEnv = { ...procEnv, ...plan.env, MODDABLE: found.root, PATH: `${found.bin}:${procEnv.PATH ?? ""}` };
  say("building dist/moddable/ ...");
  await buildModdableModules();
  mkdirSync(plan.build, { recursive: true }); // mcconfig wants -o to exist
  let status = runTool(["mcconfig", ...plan.mcconfig], env);
  if (status !== 0) return fail(`mcconfig exited with ${status}`, 1);
  if (o.platform === "esp32") {
    say("flashed (mcconfig -d -m): the board runs cellmail; xsbug shows its log");
    return 0;
  }
  status = runTool(["make", "-f", plan.makefile!, "build"], env, path.dirname(plan.makefile!));
  if (status !== 0) return fail(`make exited with ${status}`, 1);
  const run = mcsimCommand(found, plan.app!, env);
  say(`built: ${plan.app}`);
  say(`run:   ${run.join(" ")}`);
  if (!o.run) return 0;
  return runApp(run, env);
}

export function flashModdableCommand(): Command {
  return new Command("moddable")
    .description("validate a board's configuration, write an app manifest that includes cellmail's library, run mcconfig")
    .requiredOption("-c, --config <file>", "the board's configuration (JSON, docs/configuration.md)")
    .addOption(new Option("--platform <platform>", "esp32 (build and flash a board) or lin (Moddable's Linux build)").choices([...PLATFORMS]).makeOptionMandatory())
    .option("-p, --port <path>", "esp32: the board's serial port (UPLOAD_PORT); lin: the LTE module's device (lteDevice)")
    .option("-o, --out <dir>", "where the app manifest and the build go (default: .cellmail/flash/<platform>)")
    .option("--run", "lin: run the app in mcsim after the build (headless under xvfb-run when there is no display)")
    .option("--dry-run", "check the configuration and write the app manifest; print the commands without running them")
    .argument("[mcconfig...]", "after --: options for mcconfig as they are (e.g. ltePort=1 lteRx=4, gpioRoot=/path/)")
    .action(async (extra: string[], opts: FlashOptions) => {
      process.exitCode = await runFlashModdable(opts, extra);
    });
}
