// The two socket command families of the module, as data: plain TCP (AT+QIOPEN ...) and
// SSL (AT+QSSLOPEN ...). They share one table of socket ids (0-11) and differ in their
// command and URC names, and in how a socket opens (docs/sockets.md).
export interface SocketFamily {
  kind: "tcp" | "ssl";
  open: string;
  send: string;
  read: string;
  close: string;
  /** The URC prefix of "recv" and "closed". */
  urc: string;
}

export const TCP: SocketFamily = { kind: "tcp", open: "+QIOPEN", send: "+QISEND", read: "+QIRD", close: "+QICLOSE", urc: "+QIURC" };
export const SSL: SocketFamily = { kind: "ssl", open: "+QSSLOPEN", send: "+QSSLSEND", read: "+QSSLRECV", close: "+QSSLCLOSE", urc: "+QSSLURC" };

/** Socket ids 0-11 (connectID / clientID). */
export const MAX_SOCKET_ID = 11;
/** At most this many bytes per AT+QISEND / AT+QSSLSEND. */
export const MAX_SEND = 1460;
/** At most this many bytes per AT+QIRD / AT+QSSLRECV. */
export const MAX_READ = 1500;
/** The `>` prompt of AT+QISEND / AT+QSSLSEND (Quectel's framing: CR LF, '>', a space). */
export const SEND_PROMPT = "\r\n> ";
/** Final results of a send (not OK/ERROR: their own words). */
export const SEND_OK = "\r\nSEND OK\r\n";
export const SEND_FAIL = "\r\nSEND FAIL\r\n";
