// Inline style and script of the session report (render.ts). Kept here so the page
// stays self-contained: no fonts, images, style sheets or scripts from anywhere else.
export const REPORT_CSS = `
:root { --ok: #146c2e; --fail: #b3261e; --tx: #0b57d0; --rx: #5b3e96; --note: #8a5a00; --muted: #666; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header, main, footer { padding: 0 24px; }
h1 { font-size: 20px; margin: 16px 0 8px; }
h2 { font-size: 16px; margin: 20px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.outcome { display: inline-block; padding: 4px 10px; border-radius: 4px; color: #fff; font-weight: 600; margin: 0 0 8px; }
.outcome.ok { background: var(--ok); }
.outcome.fail { background: var(--fail); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
td.path { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
td.mark { font-family: ui-monospace, monospace; font-weight: 700; white-space: nowrap; }
td.text code { white-space: pre-wrap; word-break: break-all; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
tr.tx td.mark, tr.tx td.text { color: var(--tx); }
tr.rx td.mark, tr.rx td.text { color: var(--rx); }
tr.note td { color: var(--note); font-style: italic; }
tr.ev-state td { background: #eef6ee; font-weight: 600; }
tr.ev-retry td { background: #fff4e0; }
tr.ev-result td { background: #eef0fb; font-weight: 600; }
tr.ev-mail td { background: #e9f7f7; }
tr.hidden { display: none; }
.filters { margin: 6px 0 10px; display: flex; flex-wrap: wrap; gap: 12px; }
.none { color: var(--muted); }
.warn { color: var(--fail); }
ul.expect-failures li, ul.errors li { color: var(--fail); }
footer { color: var(--muted); font-size: 12px; margin: 24px 0; }
`;

/** Filters: hide or show timeline rows by kind. */
export const REPORT_JS = `
(function () {
  var boxes = document.querySelectorAll("input[data-filter]");
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].addEventListener("change", function (ev) {
      var box = ev.target, kind = box.getAttribute("data-filter");
      var rows = document.querySelectorAll('tr.row[data-kind="' + kind + '"]');
      for (var j = 0; j < rows.length; j++) rows[j].classList.toggle("hidden", !box.checked);
    });
  }
})();
`;
