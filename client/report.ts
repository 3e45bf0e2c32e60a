// Reads per-instance results of a finished run: the parent keeps per-location counts, each child keeps
// its instances, so the report asks each location's child workflow for its result.
import type { Client } from '@temporalio/client';
import type { BulkyRunCommandResult, LocationResult, MultiAccountExecuteResult } from '../contract/results';

export interface LocationReport {
  location: LocationResult;
  /** The child's result, or undefined when it never ran or has none (a generic template). */
  child?: BulkyRunCommandResult;
}

export async function fetchLocationReports(
  client: Client,
  result: MultiAccountExecuteResult,
): Promise<LocationReport[]> {
  return Promise.all(
    result.locations.map(async (location): Promise<LocationReport> => {
      if (location.status === 'Skipped' || location.status === 'Pending') return { location };
      try {
        return {
          location,
          child: (await client.workflow.getHandle(location.workflowId).result()) as BulkyRunCommandResult,
        };
      } catch (err) {
        // A child that failed on MaxErrors or was cancelled carries its result in the failure details.
        const details = (err as { cause?: { details?: unknown[] } }).cause?.details?.[0] as
          BulkyRunCommandResult | undefined;
        return { location, child: details && Array.isArray(details.instances) ? details : undefined };
      }
    }),
  );
}
