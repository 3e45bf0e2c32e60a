// Status vocabulary: per-instance InvocationStatus → deprecated per-instance statuses, and the
// invocation-level aggregation rules of reference §2.2.
import type { InstanceInvocationStatus } from './model';

const FAILED = new Set<InstanceInvocationStatus>(['Invalid', 'Aborted', 'Failed', 'Timeout', 'Error']);
const STOPPED = new Set<InstanceInvocationStatus>(['Cancelled', 'Terminated']);

/** Deprecated per-instance status (InstanceInvokeStatus / InvokeRecordStatus). A nonzero exit is "Finished". */
export function legacyInstanceStatus(s: InstanceInvocationStatus): string {
  switch (s) {
    case 'Pending':
    case 'Running':
      return 'Running';
    case 'Stopping':
      return 'Stopping';
    case 'Success':
    case 'Failed':
      return 'Finished';
    case 'Cancelled':
    case 'Terminated':
      return 'Stopped';
    default:
      return 'Failed';
  }
}

/** Aggregate InvocationStatus of an invocation from its instances. */
export function aggregateStatus(statuses: InstanceInvocationStatus[]): string {
  if (statuses.includes('Pending')) return 'Pending';
  if (statuses.includes('Running')) return 'Running';
  if (statuses.includes('Stopping')) return 'Stopping';
  const success = statuses.filter((s) => s === 'Success').length;
  const failed = statuses.filter((s) => FAILED.has(s)).length;
  const stopped = statuses.filter((s) => STOPPED.has(s)).length;
  if (stopped === statuses.length) return 'Stopped';
  if (failed === 0) return 'Success';
  if (success === 0) return 'Failed';
  return 'PartialFailed';
}

/** Deprecated aggregate InvokeStatus: Running | Finished | Failed | Stopped. */
export function aggregateLegacyStatus(statuses: InstanceInvocationStatus[]): string {
  const legacy = statuses.map(legacyInstanceStatus);
  if (legacy.some((s) => s === 'Running' || s === 'Stopping')) return 'Running';
  if (legacy.every((s) => s === 'Stopped')) return 'Stopped';
  if (legacy.includes('Failed')) return 'Failed';
  return 'Finished';
}
