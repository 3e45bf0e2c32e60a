// Result contracts (DESIGN §6). Field names are stable: tools, tests and other services read them.
import type { InstanceRoster } from './instanceRoster';

/** Cloud Assistant's per-instance InvocationStatus, plus `Skipped` for items never started. */
export type InstanceStatus =
  | 'Pending'
  | 'Scheduled'
  | 'Running'
  | 'Stopping'
  | 'Success'
  | 'Failed'
  | 'Timeout'
  | 'Error'
  | 'Aborted'
  | 'Invalid'
  | 'Cancelled'
  | 'Terminated'
  | 'Skipped';

const FINAL: ReadonlySet<string> = new Set([
  'Success',
  'Failed',
  'Timeout',
  'Error',
  'Aborted',
  'Invalid',
  'Cancelled',
  'Terminated',
  'Skipped',
]);

/** Whether an instance status will not change any more. */
export function isFinalStatus(status: string): boolean {
  return FINAL.has(status);
}

/** Whether a final status counts against MaxErrors: anything but Success (and Skipped, which never ran). */
export function isErrorStatus(status: string): boolean {
  return isFinalStatus(status) && status !== 'Success' && status !== 'Skipped';
}

export interface InstanceResult {
  instanceId: string;
  /** Invocation that ran it; null when it was never sent (Skipped). */
  invokeId: string | null;
  status: InstanceStatus;
  exitCode: number | null;
  errorCode: string;
  errorInfo: string;
  /** Decoded output, cut to outputMaxBytes; the cloud keeps up to 24 KB of it. */
  output: string;
  /** True when `output` was cut here (the rest is still in the cloud for DescribeInvocationResults). */
  outputTruncated: boolean;
  /** Bytes the cloud itself discarded beyond its 24 KB cap. */
  dropped: number;
  startTime: string | null;
  finishedTime: string | null;
}

export interface Counts {
  total: number;
  success: number;
  /** Ended in anything but Success, other than being stopped. */
  failed: number;
  /** Never started because the run stopped first (MaxErrors, cancel). */
  skipped: number;
  /** Stopped by the run: Cancelled (not yet started) or Terminated (stopped while running). */
  cancelled: number;
}

export function emptyCounts(total = 0): Counts {
  return { total, success: 0, failed: 0, skipped: 0, cancelled: 0 };
}

/**
 * Adds one status to counts. A status that is not final (only after a cancel: the instance may still
 * have run) counts as cancelled.
 */
export function countStatus(counts: Counts, status: string): void {
  if (status === 'Success') counts.success++;
  else if (status === 'Skipped') counts.skipped++;
  else if (status === 'Cancelled' || status === 'Terminated' || !isFinalStatus(status)) counts.cancelled++;
  else counts.failed++;
}

/** Errors for MaxErrors: every item that ran (or was meant to) and did not succeed. */
export function errorCount(counts: Counts): number {
  return counts.failed + counts.cancelled;
}

/** Outcome of a run. A run with errors within MaxErrors is PartialFailed; over it, the workflow fails. */
export type RunStatus = 'Success' | 'PartialFailed' | 'Failed' | 'Cancelled';

export interface BulkyRunCommandResult {
  accountId: string;
  regionId: string;
  status: RunStatus;
  counts: Counts;
  /**
   * Detailed per-instance records, in instance order: all of them unless `instancesOmitted` > 0. A large
   * location keeps only what fits one payload (failures first); `roster` still lists every instance.
   */
  instances: InstanceResult[];
  /** OOS's `commandOutputs`: the output of each sent instance of `instances`, in instance order. */
  commandOutputs: string[];
  /** Instances that have no record in `instances` (read them from `roster`; `allInstances()` merges both). */
  instancesOmitted: number;
  /**
   * Every instance in compact form (id, status, invoke id). Null in the summary a child returns to its
   * parent, which keeps only counts; the child's `result` query answers the full result.
   */
  roster: InstanceRoster | null;
}

export type LocationStatus = 'Pending' | 'Running' | RunStatus | 'Skipped';

export interface LocationResult {
  accountId: string;
  regionId: string;
  roleChain: string;
  workflowId: string;
  status: LocationStatus;
  /** Instance counts of the location's child (zeros when it never ran). */
  counts: Counts;
  /** Why the location failed, or null. */
  error: string | null;
}

export interface MultiAccountExecuteResult {
  status: RunStatus;
  /** Location counts: each location is one item of the parent's rate control. */
  counts: Counts;
  /** Instance counts summed over all locations. */
  instanceCounts: Counts;
  locations: LocationResult[];
}
