// The module's SMTP engine for `cellmail modem --pty`: whatever server the client
// configured with AT+QSMTPCFG="smtpserver", every AT+QSMTPPUT is delivered to the
// server(s) we choose — the embedded mail server (plain/STARTTLS or implicit TLS, picked
// by the configured ssltype; the account is dropped because the embedded server takes
// mail without AUTH), or one outside server given with --smtp (account kept). Like a
// network whose only mail server is ours: the client needs no special configuration.
import type { DeliverOptions, OutgoingMail, SmtpEngine, SmtpOutcome, SmtpServerSetting, SmtpSession } from "../smtp/types.js";

export interface Route {
  server: SmtpServerSetting;
  /** Deliver without AUTH (the target accepts anyone). */
  dropAccount?: boolean;
}

export class RoutedSmtpEngine implements SmtpEngine {
  constructor(
    private readonly inner: SmtpEngine,
    private readonly route: (session: SmtpSession) => Route,
    private readonly log?: (line: string) => void,
  ) {}

  deliver(session: SmtpSession, mail: OutgoingMail, timeoutMs: number, options?: DeliverOptions): Promise<SmtpOutcome> {
    const r = this.route(session);
    const routed: SmtpSession = {
      ...session,
      server: r.server,
      account: r.dropAccount ? { user: "", password: "" } : session.account,
    };
    this.log?.(
      `smtp: AT+QSMTPPUT for ${session.server.host}:${session.server.port} (ssltype ${session.sslType}) -> ${r.server.host}:${r.server.port}`,
    );
    return this.inner.deliver(routed, mail, timeoutMs, options);
  }
}
