// The compact list of a location's instances (DESIGN §6: "for large fleets the per-instance list may be
// paged"). A full InstanceResult costs ~250 bytes; the roster costs ~25 bytes per instance (id, one status
// letter, run-length-encoded invocations), so 5,000 instances fit one payload under Temporal's 256 KB
// warning. Workflow-safe: the child workflow writes it, the CLI and other services read it.
import type { BulkyRunCommandResult, InstanceResult, InstanceStatus } from './results';

export interface InstanceRoster {
  /** Every instance of the location, in instance order (dispatch order, then ResourceIds that do not exist). */
  instanceIds: string[];
  /** One letter per instance, same order: see STATUS_LETTERS. */
  statuses: string;
  /**
   * Run-length-encoded invoke id of each instance, same order: `[invokeId, count]` covers the next `count`
   * instances; invokeId '' means never sent (Skipped, or refused before any invocation).
   */
  invocations: [string, number][];
}

/** One letter per status, so a roster costs one byte per instance for it. */
export const STATUS_LETTERS: Readonly<Record<InstanceStatus, string>> = {
  Pending: 'p',
  Scheduled: 'h',
  Running: 'R',
  Stopping: 'o',
  Success: 'S',
  Failed: 'F',
  Timeout: 'T',
  Error: 'E',
  Aborted: 'A',
  Invalid: 'I',
  Cancelled: 'C',
  Terminated: 'X',
  Skipped: '-',
};

const STATUS_OF_LETTER: ReadonlyMap<string, InstanceStatus> = new Map(
  Object.entries(STATUS_LETTERS).map(([status, letter]) => [letter, status as InstanceStatus]),
);

export function statusOfLetter(letter: string): InstanceStatus {
  const status = STATUS_OF_LETTER.get(letter);
  if (!status) throw new Error(`roster: unknown status letter ${JSON.stringify(letter)}`);
  return status;
}

/** Run-length encodes one invoke id per instance ('' = never sent). */
export function encodeInvocations(invokeIds: readonly (string | null)[]): [string, number][] {
  const runs: [string, number][] = [];
  for (const id of invokeIds) {
    const key = id ?? '';
    const last = runs[runs.length - 1];
    if (last && last[0] === key) last[1]++;
    else runs.push([key, 1]);
  }
  return runs;
}

/** The invoke id of each instance (null = never sent), from the run-length encoding. */
export function decodeInvocations(runs: readonly [string, number][]): (string | null)[] {
  const ids: (string | null)[] = [];
  for (const [id, count] of runs) for (let i = 0; i < count; i++) ids.push(id === '' ? null : id);
  return ids;
}

/**
 * Every instance of a child result, in instance order: the detailed record where the result has one,
 * otherwise the roster's id, status and invoke id (the rest of that instance's detail stays in the cloud:
 * DescribeInvocationResults with its invoke id). A result without a roster gives its `instances` as is.
 */
export function allInstances(result: Pick<BulkyRunCommandResult, 'instances' | 'roster'>): InstanceResult[] {
  const roster = result.roster;
  if (!roster) return result.instances;
  const detailed = new Map(result.instances.map((i) => [i.instanceId, i]));
  const invokeIds = decodeInvocations(roster.invocations);
  return roster.instanceIds.map((instanceId, index) => {
    const kept = detailed.get(instanceId);
    if (kept) return kept;
    const invokeId = invokeIds[index] ?? null;
    return {
      instanceId,
      invokeId,
      status: statusOfLetter(roster.statuses.charAt(index)),
      exitCode: null,
      errorCode: '',
      errorInfo: '',
      output: '',
      // Its output, if any, is in the cloud only.
      outputTruncated: invokeId !== null,
      dropped: 0,
      startTime: null,
      finishedTime: null,
    };
  });
}
