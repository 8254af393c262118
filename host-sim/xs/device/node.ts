// The XS bridge's entry of the node composition: the full core (main.ts) with the modules
// firmware/targets/node/main.ts composes: every module, as the moddable composition.
import { causeTexts } from "../../../firmware/ext/causes/texts.js";
import { ufsFiles } from "../../../firmware/ext/upload/files.js";
import { commandQueue } from "../../../firmware/ext/queue/queue.js";
import { migrateOutbox } from "../../../firmware/ext/legacy-outbox/migrate.js";
import { socketMail } from "../../../firmware/targets/socket-mail.js";
import { fullCore } from "./main.js";

/** The worker calls this for every delivery from the host. */
export const handleCommand = fullCore({ causes: causeTexts(), socketMail: socketMail, files: ufsFiles, queue: commandQueue, legacyOutbox: migrateOutbox });
