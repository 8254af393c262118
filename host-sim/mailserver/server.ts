// An embedded mail server for tests and for `npm start`: a real SMTP server (`smtp-server`)
// on loopback, plain / implicit TLS / STARTTLS, optional AUTH PLAIN/LOGIN, scripted refusals
// for fault tests, and optionally a provider's rules (`policy`, see providers/). Every
// accepted message is stored as an .eml file and parsed (`mailparser`).
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SMTPServer } from "smtp-server";
import type { SMTPServerAddress, SMTPServerOptions, SMTPServerSession } from "smtp-server";
import { simpleParser } from "mailparser";
import type { AddressObject, ParsedMail } from "mailparser";
import { makeServerCredentials, type TlsCredentials } from "./certs.js";

export type TlsMode = "none" | "starttls" | "implicit";

/** Where a scripted refusal strikes. */
export type RefusalStage = "connect" | "auth" | "mail" | "rcpt" | "data";

export interface Refusal {
  stage: RefusalStage;
  /** SMTP reply code, e.g. 421, 451, 454, 530, 535, 550, 552, 554. */
  code: number;
  /** Reply text (default: a generic text for the code). */
  message?: string;
  /**
   * How many SMTP sessions (connections) it applies to, then it is used up; default: every
   * session. A session is charged once however often the refusal fires in it (e.g. for several
   * RCPT commands), so `{ stage: "data", code: 451, times: 2 }` fails the first two deliveries.
   */
  times?: number;
  /** mail/rcpt stages: only for this address (case-insensitive). */
  address?: string;
}

/** What the server knows of a message at the end of DATA, for a policy to judge. */
export interface MailFacts {
  raw: Buffer;
  rawHeaders: string;
  parsed: ParsedMail;
  envelope: { mailFrom: string; rcptTo: string[] };
  user?: string;
  /** The name the client gave in EHLO/HELO. */
  ehloName?: string;
}

/**
 * A provider's rules (providers/policy.ts implements it). Each hook returns a refusal or null
 * to accept; `auth` returning undefined leaves the check to `auth` of the options. `admit`
 * decides at the end of DATA, with the virtual time of the decision; the server calls
 * `release` once the message has its number (decisions may be sequenced).
 */
export interface MailPolicy {
  auth?(user: string, password: string, ehloName?: string): Refusal | null | undefined;
  /** undefined: no opinion (the server's own AUTH requirement applies). */
  mailFrom?(address: string, session: { user?: string; ehloName?: string }): Refusal | null | undefined;
  rcptTo?(address: string, session: { count: number; mailFrom: string; ehloName?: string }): Refusal | null;
  admit?(facts: MailFacts): Promise<{ refusal: Refusal | null; at: number; release: () => void }>;
}

export interface MailServerOptions {
  /** Listen address; loopback only. Default "127.0.0.1". */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** "none": plain, no STARTTLS; "starttls": plain with STARTTLS offered; "implicit": TLS from the first byte. Default "none". */
  tls?: TlsMode;
  /** starttls mode: refuse MAIL FROM on a session that has not upgraded (530). */
  requireStartTLS?: boolean;
  /** When set, AUTH PLAIN/LOGIN is required with these credentials (wrong -> 535). */
  auth?: { user: string; password: string };
  /** With `auth`: accept mail from clients that did not authenticate. */
  authOptional?: boolean;
  /** Accept AUTH with any account (`cellmail modem --pty`: a board keeps its own credentials). */
  anyAccount?: boolean;
  /** Scripted refusals, consulted in order. */
  refusals?: Refusal[];
  /** Directory for the .eml files. Default: a new temp dir, removed by close() unless keepDir. */
  dir?: string;
  keepDir?: boolean;
  /** TLS key/cert/CA to use (default: made at start for localhost, 127.0.0.1, ::1). */
  credentials?: TlsCredentials;
  /** Name in the greeting and EHLO reply. Default "mail.cellmail.test". */
  name?: string;
  /** SIZE limit in bytes (default 10 MB). */
  size?: number;
  /** SMTP conversation log (AUTH lines contain no secrets: smtp-server masks them). */
  log?: (line: string) => void;
  /** A provider's rules (with it, a MAIL FROM without AUTH is the policy's to refuse). */
  policy?: MailPolicy;
  /** Told about every accepted message as it is stored. */
  onMessage?: (mail: ReceivedMail) => void;
  /** Keep accepted messages for messages() (default true; a fleet reads thousands through onMessage instead). */
  retain?: boolean;
  /**
   * Greet at once instead of after smtp-server's 100 ms pause for "early talkers". The pause
   * is real time, which the virtual clock does not see: a fleet's thousands of transactions
   * would each wait it out for nothing.
   */
  greetAtOnce?: boolean;
  /**
   * smtp-server options laid over the ones made here, for tests of a client's own SMTP
   * conversation (e.g. `hidePIPELINING`, `authMethods: ["LOGIN"]`, `disabledCommands` with
   * "EHLO" for a HELO-only server).
   */
  smtpOptions?: Partial<SMTPServerOptions>;
}

export interface MailAddress {
  name: string;
  address: string;
}

export interface ReceivedAttachment {
  filename?: string;
  contentType: string;
  content: Buffer;
  size: number;
}

export interface ReceivedMail {
  /** 1, 2, ... in order of acceptance. */
  seq: number;
  emlPath: string;
  raw: Buffer;
  /** The header block as received (up to the first empty line). */
  rawHeaders: string;
  envelope: { mailFrom: string; rcptTo: string[] };
  /** TLS was in use when the message was accepted (implicit or after STARTTLS). */
  secure: boolean;
  /** Authenticated user, if any. */
  user?: string;
  /** The server name the client sent by SNI, if any. */
  servername?: string;
  from?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  text: string;
  attachments: ReceivedAttachment[];
  /** Everything mailparser found. */
  parsed: ParsedMail;
  /** The policy's (virtual) time of acceptance, when a policy decided. */
  at?: number;
}

const DEFAULT_TEXT: Record<number, string> = {
  421: "Service not available, closing transmission channel",
  450: "Requested mail action not taken: mailbox unavailable",
  451: "Requested action aborted: local error in processing",
  452: "Requested action not taken: insufficient system storage",
  454: "Throttling failure: Maximum sending rate exceeded",
  530: "Access denied",
  535: "Authentication failed",
  550: "Requested action not taken: mailbox unavailable",
  551: "User not local",
  552: "Requested mail action aborted: exceeded storage allocation",
  553: "Requested action not taken: mailbox name not allowed",
  554: "Transaction failed",
};

interface RefusalState {
  r: Refusal;
  remaining: number;
  sessions: Set<string>;
}

function flatten(a: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!a) return [];
  const list = Array.isArray(a) ? a : [a];
  const out: MailAddress[] = [];
  for (const obj of list) for (const v of obj.value) if (v.address) out.push({ name: v.name || "", address: v.address });
  return out;
}

function refusalError(r: Refusal): Error & { responseCode: number } {
  const e = new Error(r.message ?? DEFAULT_TEXT[r.code] ?? "Refused") as Error & { responseCode: number };
  e.responseCode = r.code;
  return e;
}

/**
 * smtp-server greets a new connection only after a 100 ms timer (it refuses commands sent
 * before: "early talkers"). Greet right after the connection is set up instead, and make
 * the timer's own call do nothing.
 */
function greetAtOnce(server: SMTPServer): void {
  const s = server as unknown as { connect(socket: unknown, options: unknown): void; connections: Set<{ connectionReady(): void }> };
  const connect = s.connect.bind(server);
  s.connect = (socket, options) => {
    connect(socket, options);
    let newest: { connectionReady(): void } | undefined;
    for (const c of s.connections) newest = c;
    if (!newest) return;
    newest.connectionReady();
    newest.connectionReady = () => undefined;
  };
}

export class MailServer {
  readonly host: string;
  private server!: SMTPServer;
  private _port = 0;
  private _dir = "";
  private ownsDir = false;
  private creds?: TlsCredentials;
  private readonly opts: MailServerOptions;
  private refusalStates: RefusalState[] = [];
  private received: ReceivedMail[] = [];
  private waiters: { n: number; resolve: (m: ReceivedMail[]) => void }[] = [];
  private _connections = 0;
  private _authFailures = 0;

  private constructor(opts: MailServerOptions) {
    this.opts = opts;
    this.host = opts.host ?? "127.0.0.1";
    this.setRefusals(opts.refusals ?? []);
  }

  /** Starts a server; resolves once it listens. */
  static async start(options: MailServerOptions = {}): Promise<MailServer> {
    const s = new MailServer(options);
    await s.listen();
    return s;
  }

  /** The port it listens on. */
  get port(): number {
    return this._port;
  }
  /** Directory of the .eml files. */
  get dir(): string {
    return this._dir;
  }
  /** PEM of the CA that signed the server certificate (undefined in plain mode). Upload it for seclevel 1. */
  get caPem(): string | undefined {
    return this.creds?.caPem;
  }
  get credentials(): TlsCredentials | undefined {
    return this.creds;
  }
  /** TCP connections accepted so far. */
  get connections(): number {
    return this._connections;
  }
  /** Failed AUTH attempts so far. */
  get authFailures(): number {
    return this._authFailures;
  }

  /** Replaces the scripted refusals (counts start afresh). */
  setRefusals(refusals: Refusal[]): void {
    this.refusalStates = refusals.map((r) => ({ r, remaining: r.times ?? Infinity, sessions: new Set<string>() }));
  }

  /** Parsed copies of all accepted messages, oldest first. */
  messages(): ReceivedMail[] {
    return this.received.slice();
  }

  /** Forgets the accepted messages (the .eml files stay). */
  clear(): void {
    this.received = [];
  }

  /** Resolves when at least `n` messages have been accepted; rejects after `timeoutMs` (real time). */
  waitForMessages(n: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    if (this.received.length >= n) return Promise.resolve(this.messages());
    return new Promise((resolve, reject) => {
      const w = {
        n,
        resolve: (m: ReceivedMail[]) => {
          clearTimeout(t);
          resolve(m);
        },
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`waitForMessages(${n}): only ${this.received.length} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Stops listening, ends open connections, removes the temp dir it made (unless keepDir). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const w of this.waiters) w.resolve(this.messages());
    this.waiters = [];
    if (this.ownsDir && !this.opts.keepDir) await fsp.rm(this._dir, { recursive: true, force: true });
  }

  private refusal(stage: RefusalStage, session: SMTPServerSession, address?: string): Refusal | undefined {
    for (const st of this.refusalStates) {
      const r = st.r;
      if (r.stage !== stage) continue;
      if (r.address && (!address || r.address.toLowerCase() !== address.toLowerCase())) continue;
      if (st.sessions.has(session.id)) return r;
      if (st.remaining <= 0) continue;
      st.remaining--;
      st.sessions.add(session.id);
      return r;
    }
    return undefined;
  }

  private async listen(): Promise<void> {
    const o = this.opts;
    if (o.dir) {
      this._dir = o.dir;
      await fsp.mkdir(o.dir, { recursive: true });
    } else {
      this._dir = await fsp.mkdtemp(path.join(os.tmpdir(), "cellmail-mail-"));
      this.ownsDir = true;
    }
    const mode = o.tls ?? "none";
    if (mode !== "none") this.creds = o.credentials ?? (await makeServerCredentials());
    const log = o.log;
    const logger = log
      ? (() => {
          const f = (...args: unknown[]) => {
            const rest = args.length && typeof args[0] === "object" && args[0] !== null ? args.slice(1) : args;
            const [fmt, ...more] = rest;
            let i = 0;
            log(String(fmt ?? "").replace(/%[sdj]/g, () => String(more[i++])));
          };
          return { trace: f, debug: f, info: f, warn: f, error: f, fatal: f };
        })()
      : false;

    const options: SMTPServerOptions = {
      name: o.name ?? "mail.cellmail.test",
      secure: mode === "implicit",
      key: this.creds?.key,
      cert: this.creds?.cert,
      disabledCommands: mode === "none" ? ["STARTTLS"] : [],
      authMethods: ["PLAIN", "LOGIN"],
      authOptional: !o.auth || !!o.authOptional || !!o.policy,
      allowInsecureAuth: true,
      disableReverseLookup: true,
      size: o.size ?? 10 * 1024 * 1024,
      closeTimeout: 500,
      logger: logger as SMTPServerOptions["logger"],
      onConnect: (session, cb) => {
        this._connections++;
        const r = this.refusal("connect", session);
        cb(r ? refusalError(r) : null);
      },
      onAuth: (auth, session, cb) => {
        const r = this.refusal("auth", session);
        if (r) {
          if (r.code === 535) this._authFailures++;
          return cb(refusalError(r));
        }
        const ruled = o.policy?.auth?.(auth.username ?? "", auth.password ?? "", session.hostNameAppearsAs);
        if (ruled) {
          if (ruled.code === 535) this._authFailures++;
          return cb(refusalError(ruled));
        }
        if (ruled === null || o.anyAccount) return cb(null, { user: auth.username });
        const want = o.auth;
        if (!want || auth.username !== want.user || auth.password !== want.password) {
          this._authFailures++;
          return cb(refusalError({ stage: "auth", code: 535, message: "Authentication credentials invalid" }));
        }
        cb(null, { user: auth.username });
      },
      onMailFrom: (address: SMTPServerAddress, session, cb) => {
        if (mode === "starttls" && o.requireStartTLS && !session.secure) {
          return cb(refusalError({ stage: "mail", code: 530, message: "Must issue a STARTTLS command first" }));
        }
        const ruled = o.policy?.mailFrom?.(address.address, { user: typeof session.user === "string" ? session.user : undefined, ehloName: session.hostNameAppearsAs });
        if (ruled) return cb(refusalError(ruled));
        // With a policy smtp-server's own AUTH requirement is off (the policy may refuse in its words); keep ours.
        if (ruled === undefined && o.policy && o.auth && !o.authOptional && !session.user) {
          return cb(refusalError({ stage: "mail", code: 530, message: "Error: authentication Required" }));
        }
        const r = this.refusal("mail", session, address.address);
        cb(r ? refusalError(r) : null);
      },
      onRcptTo: (address: SMTPServerAddress, session, cb) => {
        const ruled = o.policy?.rcptTo?.(address.address, {
          count: session.envelope.rcptTo.length,
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          ehloName: session.hostNameAppearsAs,
        });
        if (ruled) return cb(refusalError(ruled));
        const r = this.refusal("rcpt", session, address.address);
        cb(r ? refusalError(r) : null);
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("error", (e: Error) => cb(e));
        stream.on("end", () => {
          const r = this.refusal("data", session);
          if (r) return cb(refusalError(r));
          if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
            return cb(refusalError({ stage: "data", code: 552, message: "Message exceeds fixed maximum message size" }));
          }
          this.store(Buffer.concat(chunks), session).then(
            (m) => cb(null, `Message queued as ${m.seq}`),
            (e: Error & { responseCode?: number }) =>
              cb(e.responseCode ? e : refusalError({ stage: "data", code: 451, message: `local error: ${e.message}` })),
          );
        });
      },
    };
    this.server = new SMTPServer({ ...options, ...o.smtpOptions });
    if (o.greetAtOnce) greetAtOnce(this.server);
    this.server.on("error", (e: Error) => log?.(`server error: ${e.message}`));
    const port = o.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      this.server.server.once("error", reject);
      this.server.listen(port, this.host, () => {
        this.server.server.off("error", reject);
        resolve();
      });
    });
    const addr = this.server.server.address();
    this._port = typeof addr === "object" && addr ? addr.port : port;
  }

  /** Parse, let the policy decide (in its order), number, write the .eml, keep. */
  private async store(raw: Buffer, session: SMTPServerSession): Promise<ReceivedMail> {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    const headerEnd = raw.indexOf("\r\n\r\n");
    const rawHeaders = raw.subarray(0, headerEnd >= 0 ? headerEnd : raw.length).toString("latin1");
    const envelope = {
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
      rcptTo: session.envelope.rcptTo.map((a) => a.address),
    };
    const user = typeof session.user === "string" ? session.user : undefined;
    let at: number | undefined;
    let seq: number;
    const admit = this.opts.policy?.admit;
    if (admit) {
      const verdict = await admit.call(this.opts.policy, { raw, rawHeaders, parsed, envelope, user, ehloName: session.hostNameAppearsAs });
      // Numbered while the decision is held, so numbers follow the policy's order.
      seq = verdict.refusal ? 0 : ++this.seqCounter;
      verdict.release();
      if (verdict.refusal) throw refusalError(verdict.refusal);
      at = verdict.at;
    } else {
      seq = ++this.seqCounter;
    }
    const emlPath = path.join(this._dir, `${String(seq).padStart(4, "0")}-${session.id}.eml`);
    // Written under another name, then renamed: a reader that watches the directory for .eml
    // files (the real-runtime tests poll it while the mail is written) never sees half of one.
    await fsp.writeFile(emlPath + ".part", raw);
    await fsp.rename(emlPath + ".part", emlPath);
    const mail: ReceivedMail = {
      seq,
      emlPath,
      raw,
      rawHeaders,
      envelope,
      secure: !!session.secure,
      user,
      servername: session.servername || undefined,
      from: flatten(parsed.from)[0],
      to: flatten(parsed.to),
      cc: flatten(parsed.cc),
      subject: parsed.subject ?? "",
      text: parsed.text ?? "",
      attachments: parsed.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
        size: a.size,
      })),
      parsed,
      at,
    };
    if (this.opts.retain !== false) this.received.push(mail);
    this.opts.onMessage?.(mail);
    const ready = this.waiters.filter((w) => this.received.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.received.length < w.n);
    for (const w of ready) w.resolve(this.messages());
    return mail;
  }

  private seqCounter = 0;
}
