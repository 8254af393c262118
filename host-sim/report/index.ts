// The session report page (see render.ts).
export { renderReport, escapeHtml, stateDurations } from "./render.js";
export type { ReportOptions } from "./render.js";
