#!/usr/bin/env node
// cellmail launcher: registers tsx (TypeScript for Node's ESM loader) and runs the CLI
// in host-sim/cli/main.ts. `npm start` = `node bin/cellmail.mjs sim`.
import { register } from "tsx/esm/api";

register();
await import(new URL("../host-sim/cli/main.ts", import.meta.url).href);
