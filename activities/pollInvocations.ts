// Waits until at least one instance of the running invocations is final, then reports every final one.
// One DescribeInvocations call per due invocation per tick (up to 100 instances each), so polling cost
// grows with invocations, not instances; each invocation is due on its own schedule (pollSchedule.ts),
// counted from when RunCommand returned (clocks are read here, in activities, never in the workflow).
// Heartbeats each tick; history sees only the final answer.
import * as $Ecs from '@alicloud/ecs20140526';
import { isFinalStatus, type InstanceResult, type InstanceStatus } from '../contract/results';
import { ecsClient } from './cloudClients';
import { callCloud } from './cloudErrors';
import { activitySleep, heartbeat, type ActivityDeps } from './deps';
import { capOutput } from './outputs';
import { nextPollDelay } from './pollSchedule';

export interface InFlightInvocation {
  invokeId: string;
  /** Instances of this invocation whose result the workflow does not have yet. */
  instanceIds: string[];
  /** When it was sent (RunCommandResult.sentAtMs); undefined if unknown (e.g. carried over continue-as-new). */
  sentAtMs?: number;
}

export interface PollInvocationsInput {
  roleChain: string;
  regionId: string;
  invocations: InFlightInvocation[];
  pollIntervalMs: number;
  /** The shortest send-to-seen-ended time the run has measured (see pollSchedule.ts). */
  expectedDurationMs?: number;
  /**
   * Return (possibly with nothing) after about this long (at most one poll interval more), so the workflow
   * can take new decisions.
   */
  maxWaitMs: number;
  outputMaxBytes: number;
}

export interface PollInvocationsResult {
  finished: InstanceResult[];
  /** The shortest time from sending to seeing a Success among `finished` (ms), for the poll schedule. */
  shortestSeenMs?: number;
}

/** Calls made at once; keeps one worker from flooding the region's API quota. */
const PARALLEL_CALLS = 8;
/**
 * Most a result carries, so that its payload stays far below Temporal's limits (256 KB warning) however
 * many instances end in one tick; the rest are still pending in the workflow and come with the next poll.
 */
export const RESULT_BUDGET = { instances: 500, outputBytes: 128 * 1024 };

export function withinBudget(finished: InstanceResult[]): InstanceResult[] {
  let bytes = 0;
  const kept: InstanceResult[] = [];
  for (const r of finished) {
    if (kept.length >= RESULT_BUDGET.instances) break;
    // Bytes of its JSON, not characters: CJK output takes 3 bytes a character, control characters 6.
    const size = Buffer.byteLength(JSON.stringify(r.output));
    if (kept.length > 0 && bytes + size > RESULT_BUDGET.outputBytes) break;
    bytes += size;
    kept.push(r);
  }
  return kept;
}

export async function pollInvocations(deps: ActivityDeps, input: PollInvocationsInput): Promise<PollInvocationsResult> {
  const started = Date.now();
  const deadline = started + input.maxWaitMs;
  const schedule = { pollIntervalMs: input.pollIntervalMs, expectedDurationMs: input.expectedDurationMs };
  const sentAt = new Map(input.invocations.map((inv) => [inv.invokeId, inv.sentAtMs]));
  // Every invocation is polled at once, then each when it is due.
  const due = input.invocations.map(() => started);
  for (let tick = 0; ; tick++) {
    const now = Date.now();
    const polled = input.invocations.filter((_, i) => due[i]! <= now);
    const finished: InstanceResult[] = [];
    await forEachLimited(polled, PARALLEL_CALLS, async (inv) => {
      finished.push(...(await finishedInstances(deps, input, inv)));
    });
    heartbeat({ tick, finished: finished.length });
    const after = Date.now();
    if (finished.length > 0) {
      const kept = withinBudget(finished);
      return { finished: kept, ...shortestSeen(kept, sentAt, after) };
    }
    input.invocations.forEach((inv, i) => {
      if (due[i]! > now) return;
      const age = inv.sentAtMs === undefined ? undefined : after - inv.sentAtMs;
      due[i] = after + nextPollDelay(age, schedule);
    });
    // Sleep until the next is due, also before returning empty-handed: the workflow polls again at once,
    // so returning right after a poll would poll twice in a row (and with an interval as long as
    // maxWaitMs, e.g. pollIntervalSeconds 60, in a tight loop of activities).
    const nextDue = due.length > 0 ? Math.min(...due) : after + input.pollIntervalMs;
    await sleepHeartbeating(Math.max(0, nextDue - Date.now()), tick);
    if (Date.now() >= deadline) return { finished: [] };
  }
}

/** `{ shortestSeenMs }` over the successes whose invocation's send time is known, or `{}`. */
function shortestSeen(
  finished: InstanceResult[],
  sentAt: Map<string, number | undefined>,
  seenAt: number,
): Pick<PollInvocationsResult, 'shortestSeenMs'> {
  let shortest: number | undefined;
  for (const r of finished) {
    const sent = r.invokeId === null ? undefined : sentAt.get(r.invokeId);
    if (r.status !== 'Success' || sent === undefined) continue;
    shortest = Math.min(shortest ?? Infinity, Math.max(0, seenAt - sent));
  }
  return shortest === undefined ? {} : { shortestSeenMs: shortest };
}

/** Sleeps, heartbeating at least every 10 s, so that long poll intervals stay within the heartbeat timeout. */
async function sleepHeartbeating(ms: number, tick: number): Promise<void> {
  const end = Date.now() + ms;
  for (let left = ms; left > 0; left = end - Date.now()) {
    await activitySleep(Math.min(left, 10_000));
    if (end - Date.now() > 0) heartbeat({ tick, finished: 0 });
  }
}

async function finishedInstances(
  deps: ActivityDeps,
  input: PollInvocationsInput,
  inv: InFlightInvocation,
): Promise<InstanceResult[]> {
  const request = new $Ecs.DescribeInvocationsRequest({
    regionId: input.regionId,
    invokeId: inv.invokeId,
    includeOutput: true,
    contentEncoding: 'Base64',
  });
  const res = await callCloud(
    `ECS DescribeInvocations ${inv.invokeId}`,
    async () => {
      const identity = await deps.credentials.get(input.roleChain);
      return ecsClient(identity.key, deps.cloud, input.regionId).describeInvocations(request);
    },
    {
      onRetry: () => heartbeat(),
      onExpiredToken: () => deps.credentials.invalidate(input.roleChain),
    },
  );
  // A new invocation may not be visible yet: no record simply means "not final yet".
  const invocation = res.body?.invocations?.invocation?.find((i) => i.invokeId === inv.invokeId);
  const wanted = new Set(inv.instanceIds);
  const results: InstanceResult[] = [];
  for (const item of invocation?.invokeInstances?.invokeInstance ?? []) {
    const status = item.invocationStatus ?? '';
    if (!item.instanceId || !wanted.has(item.instanceId) || !isFinalStatus(status)) continue;
    const { output, outputTruncated } = capOutput(item.output, input.outputMaxBytes);
    results.push({
      instanceId: item.instanceId,
      invokeId: inv.invokeId,
      status: status as InstanceStatus,
      exitCode: typeof item.exitCode === 'number' ? item.exitCode : null,
      errorCode: item.errorCode ?? '',
      errorInfo: item.errorInfo ?? '',
      output,
      outputTruncated,
      dropped: item.dropped ?? 0,
      startTime: item.startTime || null,
      finishedTime: item.finishTime || null,
    });
  }
  return results;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
