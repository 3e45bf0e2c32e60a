// What every activity needs, injected by the worker (or a test).
import { Context } from '@temporalio/activity';
import type { CloudConfig } from './cloudConfig';
import type { RoleChainCredentials } from './roleChainCredentials';

export interface ActivityDeps {
  cloud: CloudConfig;
  credentials: RoleChainCredentials;
}

/** Heartbeats when running inside an activity; a no-op in plain unit tests. */
export function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not in an activity context
  }
}

/** Sleeps, waking early with a CancelledFailure when the activity is cancelled. */
export function activitySleep(ms: number): Promise<void> {
  try {
    return Context.current().sleep(ms);
  } catch {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
