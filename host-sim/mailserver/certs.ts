// Test certificates made at start with `selfsigned`: a throw-away CA and a server
// certificate it signs, for "localhost", 127.0.0.1 and ::1. The CA PEM is what a test
// uploads to the simulated module (AT+QFUPL + AT+QSSLCFG="cacert") for seclevel 1.
import { generate } from "selfsigned";

export interface TestCa {
  /** CA certificate, PEM. */
  certPem: string;
  /** CA private key, PEM. */
  keyPem: string;
}

export interface TlsCredentials {
  /** Server private key, PEM. */
  key: string;
  /** Server certificate, PEM (signed by `caPem`). */
  cert: string;
  /** The CA certificate that signed `cert`, PEM: trust this to verify the server. */
  caPem: string;
}

const DEFAULT_NAMES = ["localhost", "127.0.0.1", "::1"];

function days(n: number): Date {
  return new Date(Date.now() + n * 86_400_000);
}

/** A new certificate authority (EC P-256, SHA-256, valid from yesterday for 10 years). */
export async function makeTestCa(commonName = "cellmail test CA"): Promise<TestCa> {
  const pems = await generate([{ name: "commonName", value: commonName }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: days(-1),
    notAfterDate: days(3650),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/**
 * A server certificate for `names` (DNS names and IP addresses; the first is the common name),
 * signed by `ca` (a new CA when omitted).
 */
export async function makeServerCredentials(
  names: string[] = DEFAULT_NAMES,
  ca?: TestCa,
  validity?: { notBefore?: Date; notAfter?: Date },
): Promise<TlsCredentials> {
  const authority = ca ?? (await makeTestCa());
  const ipRe = /^[0-9.]+$|:/;
  const pems = await generate([{ name: "commonName", value: names[0] ?? "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: validity?.notBefore ?? days(-1),
    notAfterDate: validity?.notAfter ?? days(825),
    ca: { key: authority.keyPem, cert: authority.certPem },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: names.map((n) => (ipRe.test(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, caPem: authority.certPem };
}
