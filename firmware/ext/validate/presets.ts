// Provider presets: where the server is and how to reach it.
// Tencent Cloud SES (seed 000): smtp.qcloudmail.com (Hong Kong), gz-smtp.qcloudmail.com
// (Guangzhou), sg-smtp.qcloudmail.com (international); port 465 with SSL only (25 is
// disabled); 10 mails per hour from one sender to one recipient; Cc/Bcc unsupported.
// Amazon SES: email-smtp.<region>.amazonaws.com, TLS required: 465/2465 implicit
// TLS (ssltype 1) or 587/2587/25 STARTTLS (ssltype 2).

export interface TencentRegion {
  names: string[];
  host: string;
}

/** Allocated on call (no module-level tables: Moddable preload freezes them). */
export function tencentRegions(): TencentRegion[] {
  return [
    { names: ["hongkong", "hk", "default"], host: "smtp.qcloudmail.com" },
    { names: ["guangzhou", "gz"], host: "gz-smtp.qcloudmail.com" },
    { names: ["international", "sg", "singapore"], host: "sg-smtp.qcloudmail.com" },
  ];
}

export const TENCENT_PORT = 465;
export const TENCENT_SSLTYPE = 1;
export const TENCENT_MAILS_PER_HOUR = 10;

/** The Tencent host for a region name (case-insensitive), or "" when unknown. */
export function tencentHost(region: string): string {
  const r = region.toLowerCase();
  for (const t of tencentRegions()) if (t.names.indexOf(r) >= 0) return t.host;
  return "";
}

/** The canonical region name for a Tencent host, or "". */
export function tencentRegionOfHost(host: string): string {
  const h = host.toLowerCase();
  for (const t of tencentRegions()) if (t.host === h) return t.names[0];
  return "";
}

export function amazonHost(region: string): string {
  return "email-smtp." + region + ".amazonaws.com";
}

/** ssltype Amazon SES requires on `port`, or -1 when SES does not listen there. */
export function amazonSslTypeFor(port: number): number {
  if (port === 465 || port === 2465) return 1;
  if (port === 587 || port === 2587 || port === 25) return 2;
  return -1;
}

/** "eu-west-1", "us-gov-west-1", "ap-southeast-2": lowercase words, '-' separated, last one a number. */
export function isAmazonRegion(region: string): boolean {
  if (region.length < 6 || region.length > 25) return false;
  const parts = region.split("-");
  if (parts.length < 3) return false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length === 0) return false;
    for (let k = 0; k < p.length; k++) {
      const c = p.charCodeAt(k);
      const digit = c >= 48 && c <= 57;
      const lower = c >= 97 && c <= 122;
      if (i === parts.length - 1 ? !digit : !lower) return false;
    }
  }
  return true;
}
