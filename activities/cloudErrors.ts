// Which cloud errors are passing faults (retry) and which are the answer (fail), and the retry loop.
import { ApplicationFailure } from '@temporalio/common';
import { CLOUD_REQUEST_REJECTED } from '../contract/errors';

/** What the Alibaba SDK (and Node's HTTP stack) put on an error. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  data?: { RequestId?: string };
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
]);
const TRANSIENT_CODES = new Set([
  'ServiceUnavailable',
  'InternalError',
  'InternalError.Dispatch',
  'IdempotentProcessing',
  'InvalidSecurityToken.Expired',
  'LastTokenProcessing',
]);

export function errorCode(err: unknown): string {
  const e = err as SdkErrorShape;
  return typeof e?.code === 'string' ? e.code : '';
}

/** True for faults that retrying fixes: throttling, 5xx, resets and timeouts, an expired STS token. */
export function isTransientCloudError(err: unknown): boolean {
  const e = err as SdkErrorShape;
  const code = errorCode(err);
  if (code.includes('Throttling') || e?.name === 'ThrottlingError') return true;
  if (TRANSIENT_CODES.has(code) || NETWORK_CODES.has(code)) return true;
  if (typeof e?.statusCode === 'number') return e.statusCode >= 500;
  // No HTTP status: transient only when the request got no answer (timeout, reset, socket hang up);
  // anything else (a TypeError, say) is a bug that retrying will not fix.
  return /Timeout/i.test(e?.name ?? '') || /socket hang up|ECONNRESET|ETIMEDOUT|EPIPE/i.test(e?.message ?? '');
}

/**
 * A request's URL as the SDK appends it to network errors ("socket hang upPOST http://…?CommandContent=…"):
 * its query holds the command, its parameters and the signed credentials' key id.
 */
const REQUEST_URL = /\s*(?:GET|POST|PUT|DELETE|HEAD|PATCH)?\s*https?:\/\/\S*/g;

/**
 * A one-line description without anything secret (SDK messages carry code, status, message, request id;
 * a request URL, with the command, its parameters and the key id in its query, is cut out).
 */
export function describeCloudError(err: unknown): string {
  const e = err as SdkErrorShape;
  const line = (e?.message ?? String(err)).split('\n')[0]!;
  return line.replace(REQUEST_URL, ' (request URL omitted)').slice(0, 500);
}

export interface RetryOptions {
  /** Attempts in this activity run before handing over to Temporal's activity retry. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Called before each wait, e.g. to heartbeat. */
  onRetry?: (err: unknown, attempt: number) => void;
  /** Called when the STS token expired or the keys were refused, to drop cached credentials before the next attempt. */
  onExpiredToken?: () => void;
  sleep?: (ms: number) => Promise<void>;
}

/** The keys were refused as such: cached STS keys that the cloud no longer knows (e.g. a restarted endpoint). */
const STALE_CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId.NotFound',
  'InvalidSecurityToken.MismatchWithAccessKey',
  'InvalidSecurityToken.Malformed',
  'MissingSecurityToken',
]);

const DEFAULT_RETRY: RetryOptions = { attempts: 6, initialDelayMs: 200, maxDelayMs: 5_000 };

/**
 * Runs a cloud call, retrying passing faults with exponential backoff and jitter. A fault that outlives
 * the attempts is thrown as a retryable failure (Temporal retries the activity); a real refusal is thrown
 * non-retryable, with the cloud's code as the failure's details.
 */
export async function callCloud<T>(
  what: string,
  call: () => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const opts = { ...DEFAULT_RETRY, ...options };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let freshCredentialsTried = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ApplicationFailure) throw err;
      // Keys refused as unknown: drop the cached ones and try once with freshly assumed keys.
      if (STALE_CREDENTIAL_CODES.has(errorCode(err)) && opts.onExpiredToken && !freshCredentialsTried) {
        freshCredentialsTried = true;
        opts.onExpiredToken();
        continue;
      }
      if (!isTransientCloudError(err)) {
        throw ApplicationFailure.create({
          message: `${what}: ${describeCloudError(err)}`,
          type: CLOUD_REQUEST_REJECTED,
          nonRetryable: true,
          details: [{ code: errorCode(err), requestId: (err as SdkErrorShape)?.data?.RequestId ?? null }],
        });
      }
      if (errorCode(err) === 'InvalidSecurityToken.Expired') opts.onExpiredToken?.();
      if (attempt >= opts.attempts) {
        throw ApplicationFailure.create({
          message: `${what}: still failing after ${attempt} attempts: ${describeCloudError(err)}`,
          type: 'TransientCloudError',
          nonRetryable: false,
        });
      }
      opts.onRetry?.(err, attempt);
      const backoff = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** (attempt - 1));
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
    }
  }
}
