// A mail subject is one header line: CR, LF, TAB and the other control characters (and
// DEL) become spaces in an alarm's title when the alarm is raised, so a title can always be
// sent, and a subject is refused (E_SUBJECT) when this would change it (Espruino's mailer:
// one test, the bundle's bytes). A loop over char codes, no regular expression (the core
// keeps them out: Espruino). Called on short texts (a clipped title, a subject of at most
// 100 bytes), once per raise or mail: the string built char by char stays small.
export function oneLine(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c < 0x20 || c === 0x7f ? " " : text.charAt(i);
  }
  return out;
}
