// Time formats of the wire protocol.

/** `YYYY-MM-DDTHH:mm:ssZ` (STS Expiration, Cloud Assistant times, x-acs-date). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `YYYY-MM-DDTHH:mmZ` (DescribeInstances CreationTime). */
export function isoMinutes(ms: number): string {
  return new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z');
}

/** isoSeconds, or '' for "never happened". */
export function isoOrEmpty(ms: number | undefined): string {
  return ms === undefined ? '' : isoSeconds(ms);
}
