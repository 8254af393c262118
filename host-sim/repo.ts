// Where the repository is, for host code that reads or writes its files. A module of its
// own so that importing it loads nothing else (the CLI starts without rollup).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
