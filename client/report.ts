// Reads per-instance results of a finished run: the parent keeps per-location counts, each child keeps
// its instances, so the report asks each location's child workflow for its result. A child started by
// the parent returned only counts; its full result is its `result` query (a worker replays it).
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type {
  BulkyRunCommandResult,
  LocationResult,
  LocationStatus,
  MultiAccountExecuteResult,
} from '../contract/results';
import { emptyCounts } from '../contract/results';
import { resultQuery } from '../workflows/messages';
import { decodeErrorOf, isNoWorkerError, messageWithCauses } from './errors';

export interface LocationReport {
  location: LocationResult;
  /** The child's result, or undefined when it never ran or has none (a generic template). */
  child?: BulkyRunCommandResult;
  /** Why the child's per-instance results could not be read (e.g. no worker to answer the query). */
  unavailable?: string;
}

export async function fetchLocationReports(
  client: Client,
  result: MultiAccountExecuteResult,
): Promise<LocationReport[]> {
  return Promise.all(
    result.locations.map(async (location): Promise<LocationReport> => {
      if (location.status === 'Skipped' || location.status === 'Pending') return { location };
      const { child, unavailable } = await readChild(client.workflow.getHandle(location.workflowId));
      return { location, child, unavailable };
    }),
  );
}

/** The report of one location, from its child workflow id alone (`result <child id>`). */
export async function fetchChildReport(client: Client, workflowId: string): Promise<LocationReport> {
  const { child, failure, unavailable } = await readChild(client.workflow.getHandle(workflowId));
  const status: LocationStatus = child?.status ?? 'Failed';
  return {
    location: {
      accountId: child?.accountId ?? '',
      regionId: child?.regionId ?? '',
      roleChain: '',
      workflowId,
      status,
      counts: child?.counts ?? emptyCounts(),
      error: failure ?? null,
    },
    child,
    unavailable,
  };
}

/** A child's full result: its return value or failure details, and its `result` query when those hold counts only. */
async function readChild(
  handle: WorkflowHandle,
): Promise<{ child?: BulkyRunCommandResult; failure?: string; unavailable?: string }> {
  let child: BulkyRunCommandResult | undefined;
  let failure: string | undefined;
  try {
    child = (await handle.result()) as BulkyRunCommandResult;
  } catch (err) {
    // Only a failure of the child is its outcome; e.g. a payload this process cannot decode is not.
    if (!(err instanceof WorkflowFailedError)) throw decodeErrorOf(err) ?? err;
    // A child that failed on MaxErrors or was cancelled carries its result in the failure details.
    const cause = (err as { cause?: { message?: string; details?: unknown[] } }).cause;
    const details = cause?.details?.[0] as BulkyRunCommandResult | undefined;
    failure = cause?.message ?? (err as Error).message;
    child = details && Array.isArray(details.instances) ? details : undefined;
  }
  if (!child || child.roster !== null) return { child, failure };
  try {
    return { child: await handle.query(resultQuery), failure };
  } catch (err) {
    const decode = decodeErrorOf(err);
    if (decode) throw decode;
    return { child, failure, unavailable: `per-instance results not read: ${describeQueryError(err)}` };
  }
}

/**
 * A failed query's message with its causes; the advice to start a worker only when no worker answered
 * (a connection, namespace or codec problem has another fix).
 */
export function describeQueryError(err: unknown): string {
  const decode = decodeErrorOf(err);
  if (decode) return decode.message;
  const text = messageWithCauses(err);
  return isNoWorkerError(err) ? `${text}; a worker of the run's task queue must be running to answer the query` : text;
}
