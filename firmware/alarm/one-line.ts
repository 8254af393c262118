// An alarm's title is user text that ends up in a mail subject, and a subject is one
// header line: CR, LF, TAB and the other control characters (and DEL) become spaces when
// the alarm is raised, so a title can always be sent (the AT gate and the mail job refuse
// control characters in a subject, E_SUBJECT). Shared by both profiles; a loop over
// char codes, no regular expression (the core keeps them out: Espruino). Called on a
// clipped title (64 bytes), once per raise: the string built char by char stays small.
export function oneLine(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c < 0x20 || c === 0x7f ? " " : text.charAt(i);
  }
  return out;
}
