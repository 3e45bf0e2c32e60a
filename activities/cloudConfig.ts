// Where the cloud is and how to talk to it. Read once by the worker and injected into the activities.

export interface CloudConfig {
  /** Endpoint override for both STS and ECS ('host:port'); undefined = the real regional endpoints. */
  endpoint?: string;
  protocol: 'https' | 'http';
  /** Per-request timeouts in milliseconds (the SDK's own default is 3000). */
  readTimeoutMs: number;
  connectTimeoutMs: number;
  /** Lifetime asked for each STS hop; chained hops are capped at 3600 s by STS. */
  stsDurationSeconds: number;
  /** RoleSessionName of every hop, visible in ActionTrail of the member accounts. */
  roleSessionName: string;
}

/**
 * Reads ALICLOUD_ENDPOINT ('http://127.0.0.1:8080', '127.0.0.1:8080' or 'https://proxy.example:443'),
 * ALICLOUD_READ_TIMEOUT_MS, ALICLOUD_CONNECT_TIMEOUT_MS, ALICLOUD_STS_DURATION_SECONDS, ALICLOUD_ROLE_SESSION_NAME.
 */
export function cloudConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CloudConfig {
  return {
    ...parseEndpoint(env.ALICLOUD_ENDPOINT),
    readTimeoutMs: positiveInt(env.ALICLOUD_READ_TIMEOUT_MS, 10_000, 'ALICLOUD_READ_TIMEOUT_MS'),
    connectTimeoutMs: positiveInt(env.ALICLOUD_CONNECT_TIMEOUT_MS, 5_000, 'ALICLOUD_CONNECT_TIMEOUT_MS'),
    stsDurationSeconds: stsDuration(env.ALICLOUD_STS_DURATION_SECONDS),
    roleSessionName: env.ALICLOUD_ROLE_SESSION_NAME || 'temporal-fleet-run',
  };
}

export function parseEndpoint(value: string | undefined): Pick<CloudConfig, 'endpoint' | 'protocol'> {
  if (!value) return { protocol: 'https' };
  const m = /^(?:(https?):\/\/)?([^/\s]+)\/?$/.exec(value.trim());
  if (!m) throw new Error(`ALICLOUD_ENDPOINT must look like http://127.0.0.1:8080 or host:port, got "${value}"`);
  return { endpoint: m[2]!, protocol: m[1] === 'https' ? 'https' : m[1] === 'http' ? 'http' : 'https' };
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

/** STS takes DurationSeconds from 900 to 43200 (a role's MaxSessionDuration; chained hops at most 3600). */
function stsDuration(value: string | undefined): number {
  const n = positiveInt(value, 3600, 'ALICLOUD_STS_DURATION_SECONDS');
  if (n < 900 || n > 43_200) {
    throw new Error(`ALICLOUD_STS_DURATION_SECONDS must be from 900 to 43200 seconds (STS's range), got "${value}"`);
  }
  return n;
}
