// The module's state, split the way a real module keeps it:
// - Persistent: survives every reboot (UFS files, AT+QURCCFG, the AT&W-saved baud rate).
// - Session: lost on reboot (echo, CMEE, ATV, registration URC modes, PDP profiles and
//   activations, SSL contexts, AT+QSMTPCFG, the mail being edited).
// Lines are strings whose chars are bytes (latin1), as they arrived on the UART.
export interface PersistentState {
  urcPort: string;
  savedBaud: number;
  /** UFS files by canonical name "UFS:<name>". */
  files: Map<string, Uint8Array>;
}

export interface PdpProfile {
  type: number;
  apn: string;
  user: string;
  password: string;
  auth: number;
}

export interface SslContext {
  sslversion: number;
  ciphersuite: string;
  seclevel: number;
  cacert: string;
  sni: number;
  ignorelocaltime: number;
  negotiatetime: number;
}

export interface SmtpConfig {
  contextid: number;
  sslctxid: number;
  ssltype: number;
  host: string;
  port: number;
  user: string;
  password: string;
  senderName: string;
  senderEmail: string;
  bodyoriginal: number;
}

export interface MailDraft {
  recipients: { type: number; addr: string }[];
  subject: { charset: number; text: string };
  body: { charset: number; bytes: Uint8Array } | null;
  /** Attachment index (1-10) -> file name as given. */
  attachments: Map<number, string>;
}

export interface SessionState {
  echo: boolean;
  verbose: boolean;
  quiet: boolean;
  cmee: number;
  regUrc: { CREG: number; CGREG: number; CEREG: number };
  pdp: Map<number, PdpProfile>;
  /** Active PDP contexts: cid -> IP address. */
  active: Map<number, string>;
  ssl: Map<number, SslContext>;
  smtp: SmtpConfig;
  mail: MailDraft;
  /** AT+QISDE: echo the data of AT+QISEND (default 1, as the TCP/IP notes give it). */
  qisde: number;
}

export const UFS_TOTAL = 286720;
export const UFS_BLOCK = 4096;

export function newPersistent(urcPort: string, baud: number): PersistentState {
  return { urcPort, savedBaud: baud, files: new Map() };
}

export function newSslContext(): SslContext {
  return { sslversion: 4, ciphersuite: "0XFFFF", seclevel: 0, cacert: "", sni: 0, ignorelocaltime: 1, negotiatetime: 300 };
}

export function newDraft(): MailDraft {
  return { recipients: [], subject: { charset: 0, text: "" }, body: null, attachments: new Map() };
}

export function newSession(echo: boolean, cmee: number): SessionState {
  return {
    echo,
    verbose: true,
    quiet: false,
    cmee,
    regUrc: { CREG: 0, CGREG: 0, CEREG: 0 },
    pdp: new Map(),
    active: new Map(),
    ssl: new Map(),
    smtp: {
      contextid: 1,
      sslctxid: 1,
      ssltype: 0,
      host: "",
      port: 25,
      user: "",
      password: "",
      senderName: "",
      senderEmail: "",
      bodyoriginal: 0,
    },
    mail: newDraft(),
    qisde: 1,
  };
}

/** "UFS:a.txt", "a.txt" -> "UFS:a.txt"; "RAM:x" stays; other drives are not modelled (null). */
export function canonicalFile(name: string): string | null {
  const m = /^([A-Za-z]+):(.*)$/.exec(name);
  if (!m) return name.length > 0 ? "UFS:" + name : null;
  const drive = m[1].toUpperCase();
  if ((drive !== "UFS" && drive !== "RAM") || m[2].length === 0) return null;
  return drive + ":" + m[2];
}

export function ufsUsed(files: Map<string, Uint8Array>): number {
  let used = 0;
  for (const [name, data] of files) if (name.startsWith("UFS:")) used += Math.max(1, Math.ceil(data.length / UFS_BLOCK)) * UFS_BLOCK;
  return used;
}
