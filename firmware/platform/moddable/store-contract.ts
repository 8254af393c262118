// Type check only (never bundled): the two modules that the library manifest maps to
// `cellmail/store` (store.ts on esp32, lin/store.ts on lin) export the same functions,
// so firmware/targets/moddable/cellmail.ts works with either.
import * as preference from "./store.js";
import * as files from "./lin/store.js";

export const linStoreMatches: typeof preference.openStore = files.openStore;
export const linInfoMatches: typeof preference.storeInfo = files.storeInfo;
export const preferenceMatches: typeof files.openStore = preference.openStore;
export const preferenceInfoMatches: typeof files.storeInfo = preference.storeInfo;
