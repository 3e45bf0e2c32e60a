// Activity stubs with the timeouts and retries each kind of call needs. Activities are imported as types.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CLOUD_REQUEST_REJECTED, INVALID_INPUT, ROLE_CHAIN_DENIED } from '../contract/errors';

const nonRetryableErrorTypes = [INVALID_INPUT, ROLE_CHAIN_DENIED, CLOUD_REQUEST_REJECTED, 'MissingCredentials'];

/** Short cloud calls. Passing faults are retried inside the activity, then here without limit. */
export const cloudCalls = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
});

/** The long poll: returns when an instance is final or after maxWait; heartbeats every tick. */
export const polling = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // The poll heartbeats at least every 10 s: after a worker crash it is retried elsewhere within 30 s.
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes },
});

/** How long one poll activity waits for a change before handing control back to the workflow. */
export const POLL_MAX_WAIT_MS = 60_000;
