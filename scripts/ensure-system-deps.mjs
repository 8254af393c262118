#!/usr/bin/env node
// ensure-system-deps: installs the system tools the tests need from Debian's packages
// when they are missing, and does nothing (quietly) when they are present.
//   socat     makes the pseudo-terminal pair behind `cellmail modem --pty`
//   chromium  the headless browser that opens `--report` pages in the tests
// Runs `apt-get update` once, then `apt-get install -y --no-install-recommends` for
// what is missing. Needs root (as on CI); otherwise it prints the command to run and
// exits 1. `--check` only reports (exit 1 when something is missing).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian package -> executables that prove it is installed. */
const NEEDED = [
  { pkg: "socat", bins: ["/usr/bin/socat"] },
  { pkg: "chromium", bins: ["/usr/bin/chromium"] },
];

const checkOnly = process.argv.includes("--check");
const missing = NEEDED.filter((n) => !n.bins.some((b) => existsSync(b))).map((n) => n.pkg);

if (missing.length === 0) process.exit(0);

const say = (msg) => console.log(`[ensure-system-deps] ${msg}`);
say(`missing system packages: ${missing.join(", ")}`);
if (checkOnly) process.exit(1);

if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) {
  say(`cannot install automatically here (no apt-get); please install: ${missing.join(" ")}`);
  process.exit(1);
}
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot) {
  say(`not root; please run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(" ")}`);
  process.exit(1);
}

function run(args) {
  say(`running: ${args.join(" ")}`);
  const r = spawnSync(args[0], args.slice(1), {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0) {
    say(`failed (exit ${r.status ?? r.signal}): ${args.join(" ")}`);
    process.exit(1);
  }
}

run(["apt-get", "update"]);
run(["apt-get", "install", "-y", "--no-install-recommends", ...missing]);
const still = NEEDED.filter((n) => missing.includes(n.pkg) && !n.bins.some((b) => existsSync(b)));
if (still.length > 0) {
  say(`still missing after install: ${still.map((n) => n.pkg).join(", ")}`);
  process.exit(1);
}
say(`installed: ${missing.join(", ")}`);
