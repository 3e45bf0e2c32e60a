// Scale inside Temporal's limits (DESIGN §5): a child with 5,000 instances and a parent with 500 locations
// complete, and their histories themselves show that no history exceeds 10,240 events (continue-as-new
// carries the state), no payload reaches 256 KB, and pending activities and children stay within the
// rate window.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { allInstances, MAX_INSTANCES_PER_LOCATION } from '../../contract';
import type { BulkyRunCommandResult, MultiAccountExecuteResult } from '../../contract/results';
import type { InstanceSpec } from '../../emulator/scenario';
import { progressQuery, resultQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/harness';
import { childInput, seedRun, simulatedWorld } from '../support/worlds';

const HISTORY_EVENT_LIMIT = 10_240;
const PAYLOAD_WARNING_BYTES = 256 * 1024;

const BIG = 'cn-big';
const INSTANCES = MAX_INSTANCES_PER_LOCATION;
/** Real ECS ids are 22 characters; payload sizes depend on it. */
const instanceId = (n: number) => `i-bp${String(n).padStart(18, '0')}`;
const fails = (n: number) => n % 97 === 0;

const LOCATIONS = 500;
const TOO_MANY = 'cn-toomany';
/** Locations started at once whose children's inputs (16 KB each) add up to more than gRPC's 4 MB. */
const WIDE = 280;
const wideRegion = (n: number) => `cn-e${String(n).padStart(3, '0')}`;
const regionOf = (n: number) => `cn-r${String(n).padStart(3, '0')}`;

let h: Harness;
before(async () => {
  const regions: Record<string, InstanceSpec[]> = {
    [BIG]: Array.from({ length: INSTANCES }, (_, i) => ({
      id: instanceId(i + 1),
      status: 'Running',
      osType: 'linux',
      agent: 'online',
      behavior: { durationMs: [200, 600], exitCode: fails(i + 1) ? 3 : 0, output: 'ok\n' },
    })),
  };
  regions[TOO_MANY] = Array.from({ length: INSTANCES + 1 }, (_, i) => ({
    id: instanceId(100_000 + i),
    status: 'Running',
    osType: 'linux',
    agent: 'online',
    behavior: { durationMs: 50 },
  }));
  for (let n = 0; n < WIDE; n++) regions[wideRegion(n)] = [];
  for (let n = 1; n <= LOCATIONS; n++) {
    regions[regionOf(n)] = [1, 2].map((k) => ({
      id: `i-${regionOf(n)}-${k}`,
      status: 'Running',
      osType: 'linux',
      agent: 'online',
      behavior: { durationMs: 50, output: 'ok\n' },
    }));
  }
  h = await startHarness({ scenario: simulatedWorld(regions) });
});
after(async () => h?.close());

test(`a child with ${INSTANCES} instances continues as new, stays inside the limits, runs each instance once`, async (t) => {
  const workflowId = `scale-child-${Date.now()}`;
  const concurrency = 500;
  const handle = await h.client.workflow.start('bulkyRunCommand', {
    args: [
      childInput(BIG, {
        rateControl: { Mode: 'Concurrency', Concurrency: concurrency, MaxErrors: '100%' },
        pollIntervalSeconds: 0.5,
        // Continue-as-new often, so the 5,000-instance state is carried (and measured) several times.
        continueAsNewAfterEvents: 100,
      }),
    ],
    taskQueue: h.taskQueue,
    workflowId,
  });
  const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;

  const failed = Array.from({ length: INSTANCES }, (_, i) => i + 1).filter(fails);
  assert.equal(result.status, 'PartialFailed');
  assert.deepEqual(result.counts, {
    total: INSTANCES,
    success: INSTANCES - failed.length,
    failed: failed.length,
    skipped: 0,
    cancelled: 0,
  });
  // Every instance is in the roster with its status and invocation; every failure keeps its detail.
  const rows = allInstances(result);
  assert.equal(rows.length, INSTANCES);
  assert.deepEqual(
    rows.filter((r) => r.status !== 'Success').map((r) => r.instanceId),
    failed.map(instanceId),
  );
  assert.ok(
    rows.every((r) => r.invokeId?.startsWith('t-')),
    'each instance has its invocation',
  );
  const detailedFailures = result.instances.filter((i) => i.status === 'Failed');
  assert.deepEqual(
    detailedFailures.map((i) => [i.instanceId, i.exitCode]),
    failed.map((n) => [instanceId(n), 3]),
  );
  assert.equal(result.instancesOmitted, INSTANCES - result.instances.length);
  // The `result` query answers the same full result.
  assert.deepEqual(await handle.query(resultQuery), result);

  // Exactly once, under the concurrency.
  const executions = h.emulator.audit().executions.filter((e) => e.regionId === BIG);
  assert.equal(executions.length, INSTANCES);
  assert.equal(new Set(executions.map((e) => e.instanceId)).size, INSTANCES);

  const runs = await runsOf(h.client, workflowId);
  assert.ok(runs.length >= 3, `continued as new with the state carried (${runs.length} runs)`);
  let dispatched = 0;
  let largest = 0;
  for (const run of runs) {
    const events = run.history.events ?? [];
    assert.ok(events.length <= HISTORY_EVENT_LIMIT, `run ${run.runId}: ${events.length} events`);
    for (const size of payloadSizes(run.history)) {
      largest = Math.max(largest, size);
      assert.ok(size < PAYLOAD_WARNING_BYTES, `run ${run.runId}: a payload of ${size} bytes`);
    }
    // At most concurrency/100 RunCommand calls plus one poll are pending at once.
    assert.ok(maxPendingActivities(events) <= concurrency / 100 + 1, `run ${run.runId}: pending activities`);
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name !== 'runCommand') continue;
      const [input] = decodePayloads(scheduled.input?.payloads) as [{ instanceIds: string[] }];
      dispatched += input.instanceIds.length;
    }
  }
  assert.equal(dispatched, INSTANCES, 'RunCommand calls over all runs sent each instance once');
  t.diagnostic(
    `${runs.length} runs, ${runs.map((r) => r.history.events?.length).join('/')} events, largest payload ${largest} B, ${result.instances.length} detailed records`,
  );
  assert.ok(largest > 100 * 1024, `the carried state is the big payload it should be (${largest} bytes)`);
});

test(`a parent with ${LOCATIONS} locations stays inside the limits, children within its concurrency`, async (t) => {
  const concurrency = 40;
  const input = seedRun(
    Array.from({ length: LOCATIONS }, (_, i) => regionOf(i + 1)),
    {},
    { rateControl: { Mode: 'Concurrency', Concurrency: concurrency, MaxErrors: 0 } },
  );
  const workflowId = `scale-parent-${Date.now()}`;
  const handle = await h.client.workflow.start('multiAccountExecute', {
    args: [input],
    taskQueue: h.taskQueue,
    workflowId,
  });
  const result = (await h.run(() => handle.result())) as MultiAccountExecuteResult;
  assert.equal(result.status, 'Success');
  assert.deepEqual(result.counts, { total: LOCATIONS, success: LOCATIONS, failed: 0, skipped: 0, cancelled: 0 });
  assert.deepEqual(result.instanceCounts, {
    total: 2 * LOCATIONS,
    success: 2 * LOCATIONS,
    failed: 0,
    skipped: 0,
    cancelled: 0,
  });
  const executions = h.emulator.audit().executions.filter((e) => e.regionId.startsWith('cn-r'));
  assert.equal(executions.length, 2 * LOCATIONS);
  assert.equal(new Set(executions.map((e) => `${e.regionId}/${e.instanceId}`)).size, 2 * LOCATIONS);

  const [parent] = await runsOf(h.client, workflowId);
  const events = parent!.history.events ?? [];
  assert.ok(events.length <= HISTORY_EVENT_LIMIT, `parent: ${events.length} events`);
  for (const size of payloadSizes(parent!.history)) assert.ok(size < PAYLOAD_WARNING_BYTES, `parent payload ${size}`);
  assert.equal(maxPendingChildren(events), concurrency, 'children run up to the concurrency, never more');
  t.diagnostic(`parent: ${events.length} events, largest payload ${Math.max(...payloadSizes(parent!.history))} B`);
  // What each child returns to the parent is counts only: the parent's history stays small.
  const childResults = events
    .map((e) => e.childWorkflowExecutionCompletedEventAttributes?.result?.payloads)
    .filter((p) => p !== undefined && p !== null)
    .map((p) => decodePayloads(p)[0] as BulkyRunCommandResult);
  assert.equal(childResults.length, LOCATIONS);
  for (const r of childResults) assert.deepEqual([r.instances, r.roster, r.instancesOmitted], [[], null, 2]);

  // Every child's own history is inside the limits too.
  const children = result.locations.map((l) => l.workflowId);
  await forEachLimited(children, 16, async (id) => {
    for (const run of await runsOf(h.client, id)) {
      assert.ok((run.history.events ?? []).length <= HISTORY_EVENT_LIMIT, `${id}: events`);
      for (const size of payloadSizes(run.history)) assert.ok(size < PAYLOAD_WARNING_BYTES, `${id}: ${size} bytes`);
    }
  });
  // And the full result of a child is its `result` query.
  const full = await h.client.workflow.getHandle(children[0]!).query(resultQuery);
  assert.deepEqual(
    full.instances.map((i) => [i.instanceId, i.status, i.output]),
    [
      ['i-cn-r001-1', 'Success', 'ok\n'],
      ['i-cn-r001-2', 'Success', 'ok\n'],
    ],
  );
});

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type Event = NonNullable<History['events']>[number];
type Payloads = NonNullable<NonNullable<Event['activityTaskScheduledEventAttributes']>['input']>['payloads'];

/** Every run of a workflow id (continued-as-new ones too), with its full history. */
async function runsOf(client: Client, workflowId: string): Promise<{ runId: string; history: History }[]> {
  const runs: { runId: string; history: History }[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId="${workflowId}"` })) {
    runs.push({ runId: wf.runId, history: await client.workflow.getHandle(workflowId, wf.runId).fetchHistory() });
  }
  return runs;
}

/**
 * A run's history fetched one event batch (one workflow task's events) a page: a history holding megabytes
 * of children's inputs is larger than one gRPC answer (4 MB), which is all `fetchHistory()` reads, and the
 * server never splits a batch, so a page of 50 events can still hold several 1.5 MB batches.
 */
async function pagedHistory(client: Client, workflowId: string): Promise<Event[]> {
  const events: Event[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      maximumPageSize: 1,
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

/** Byte size of every payload in a history. */
function payloadSizes(history: History): number[] {
  const sizes: number[] = [];
  const visit = (v: unknown): void => {
    if (v instanceof Uint8Array || v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && o.data instanceof Uint8Array) {
      sizes.push(o.data.length);
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(o)) visit(x);
  };
  visit(history.events);
  return sizes;
}

function decodePayloads(payloads: Payloads): unknown[] {
  return (payloads ?? []).map((p) => JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as unknown);
}

/** Most activities scheduled and not yet closed at any point of a history. */
function maxPendingActivities(events: Event[]): number {
  const open = new Set<string>();
  let max = 0;
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) open.add(String(e.eventId));
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (closed) open.delete(String(closed.scheduledEventId));
    max = Math.max(max, open.size);
  }
  return max;
}

/** Most child workflows initiated and not yet closed at any point of a history. */
function maxPendingChildren(events: Event[]): number {
  const open = new Set<string>();
  let max = 0;
  for (const e of events) {
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) open.add(String(e.eventId));
    const closed =
      e.childWorkflowExecutionCompletedEventAttributes ??
      e.childWorkflowExecutionFailedEventAttributes ??
      e.childWorkflowExecutionCanceledEventAttributes ??
      e.childWorkflowExecutionTimedOutEventAttributes ??
      e.childWorkflowExecutionTerminatedEventAttributes ??
      e.startChildWorkflowExecutionFailedEventAttributes;
    if (closed) open.delete(String(closed.initiatedEventId));
    max = Math.max(max, open.size);
  }
  return max;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

test(`a location whose targets select more than ${INSTANCES} instances fails at once, naming the limit; the others run`, async () => {
  const input = seedRun(
    [TOO_MANY, regionOf(1)],
    {},
    { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 1 } },
  );
  const workflowId = `scale-too-many-${Date.now()}`;
  h.emulator.resetAudit();
  const result = (await h.run(() =>
    h.client.workflow.execute('multiAccountExecute', { args: [input], taskQueue: h.taskQueue, workflowId }),
  )) as MultiAccountExecuteResult;
  assert.equal(result.status, 'PartialFailed');
  assert.deepEqual(
    result.locations.map((l) => [l.regionId, l.status]),
    [
      [TOO_MANY, 'Failed'],
      [regionOf(1), 'Success'],
    ],
  );
  assert.match(
    result.locations[0]!.error!,
    new RegExp(
      `targets \\(All\\) select more than ${INSTANCES} instances in region ${TOO_MANY} .*one location runs on at most ${INSTANCES}: narrow the targets`,
    ),
  );
  const runCalls = h.emulator.audit().calls.filter((c) => c.action === 'RunCommand' && c.regionId === TOO_MANY);
  assert.equal(runCalls.length, 0, 'nothing was sent there');
  // The child's queries say it ended before any instance ran.
  const child = h.client.workflow.getHandle(result.locations[0]!.workflowId);
  await assert.rejects(
    child.query(resultQuery),
    /the run failed before any instance ran: targets \(All\) select more than/,
  );
  assert.equal((await child.query(progressQuery)).phase, 'Done');
});

test(`${INSTANCES} ResourceIds that do not exist: each ends Invalid, in one workflow task's time, nothing sent`, async () => {
  h.emulator.resetAudit();
  const gone = Array.from({ length: INSTANCES }, (_, i) => `i-gone${String(i).padStart(16, '0')}`);
  const handle = await h.client.workflow.start('bulkyRunCommand', {
    args: [
      childInput(BIG, {
        targets: { Type: 'ResourceIds', ResourceIds: gone },
        rateControl: { Mode: 'Concurrency', Concurrency: 100, MaxErrors: '100%' },
      }),
    ],
    taskQueue: h.taskQueue,
    workflowId: `scale-missing-${Date.now()}`,
  });
  const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;
  assert.equal(result.status, 'PartialFailed');
  assert.deepEqual(result.counts, { total: INSTANCES, success: 0, failed: INSTANCES, skipped: 0, cancelled: 0 });
  assert.ok(
    allInstances(result).every((i) => i.status === 'Invalid'),
    'every id is Invalid',
  );
  // The roster holds every id (~125 KB); the ~110 KB left hold the detailed records of the first ~430 (the
  // continuation carries the missing ids as a 1,250-character mask, not a second list of 125 KB).
  assert.ok(result.instances.length >= 400, `${result.instances.length} detailed records kept`);
  assert.equal(result.instancesOmitted, INSTANCES - result.instances.length);
  assert.deepEqual(
    new Set(result.instances.map((i) => `${i.status} ${i.errorCode} ${i.errorInfo}`)),
    new Set(['Invalid InstanceNotExists The specified instance does not exist']),
  );
  const events = (await handle.fetchHistory()).events ?? [];
  assert.equal(events.filter((e) => e.workflowTaskFailedEventAttributes).length, 0, 'no workflow task failed');
  assert.equal(h.emulator.audit().calls.filter((c) => c.action === 'RunCommand').length, 0);
});

test(`${WIDE} children of 16 KB inputs started at once: spread over workflow tasks under gRPC's 4 MB`, async () => {
  const input = seedRun(
    Array.from({ length: WIDE }, (_, n) => wideRegion(n)),
    { commandContent: `echo hi #${'x'.repeat(16_000)}` },
    { rateControl: { Mode: 'Concurrency', Concurrency: WIDE, MaxErrors: 0 } },
  );
  const handle = await h.client.workflow.start('multiAccountExecute', {
    args: [input],
    taskQueue: h.taskQueue,
    workflowId: `scale-wide-${Date.now()}`,
  });
  const result = (await h.run(() => handle.result())) as MultiAccountExecuteResult;
  assert.equal(result.status, 'Success');
  assert.deepEqual(result.counts, { total: WIDE, success: WIDE, failed: 0, skipped: 0, cancelled: 0 });
  const events = await pagedHistory(h.client, handle.workflowId);
  assert.equal(events.filter((e) => e.workflowTaskFailedEventAttributes).length, 0, 'no workflow task failed');
  // 280 × ~16 KB = 4.5 MB: at most 1.5 MB of child starts per task, so at least 3 tasks started them.
  const completions = events.filter((e) => e.workflowTaskCompletedEventAttributes).map((e) => Number(e.eventId));
  const initiated = events
    .filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
    .map((e) =>
      completions.find((c) => c < Number(e.eventId) && !completions.some((d) => d > c && d < Number(e.eventId))),
    );
  assert.ok(new Set(initiated).size >= 3, `child starts spread over ${new Set(initiated).size} workflow tasks`);
});
