// Reads per-instance results of a finished run: the parent keeps per-location counts, each child keeps
// its instances, so the report asks each location's child workflow for its result. A child started by
// the parent returned only counts; its full result is its `result` query (a worker replays it).
import type { Client } from '@temporalio/client';
import type { BulkyRunCommandResult, LocationResult, MultiAccountExecuteResult } from '../contract/results';
import { resultQuery } from '../workflows/messages';

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
      const handle = client.workflow.getHandle(location.workflowId);
      let child: BulkyRunCommandResult | undefined;
      try {
        child = (await handle.result()) as BulkyRunCommandResult;
      } catch (err) {
        // A child that failed on MaxErrors or was cancelled carries its result in the failure details.
        const details = (err as { cause?: { details?: unknown[] } }).cause?.details?.[0] as
          BulkyRunCommandResult | undefined;
        child = details && Array.isArray(details.instances) ? details : undefined;
      }
      if (!child || child.roster !== null) return { location, child };
      try {
        return { location, child: await handle.query(resultQuery) };
      } catch (err) {
        return { location, child, unavailable: `per-instance results not read: ${(err as Error).message}` };
      }
    }),
  );
}
