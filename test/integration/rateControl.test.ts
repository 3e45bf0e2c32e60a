// Rate control to the letter (DESIGN §4), as tables run on the real dev server and the emulator in
// simulate mode. Every case asserts exact per-instance statuses, counts and what the emulator executed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ExecutionRecord } from '../../emulator/server';
import type { BulkyRunCommandResult, MultiAccountExecuteResult } from '../../contract/results';
import type { ParentProgress } from '../../contract/progress';
import type { RateControlChange } from '../../contract/rateControl';
import { progressQuery, setRateControlUpdate } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/harness';
import { childInput, fleet, instance, maxOverlap, seedRun, simulatedWorld } from '../support/worlds';

interface ChildCase {
  name: string;
  region: string;
  instances: ReturnType<typeof fleet>;
  params: Record<string, unknown>;
  outcome: 'Success' | 'PartialFailed' | 'MaxErrorsExceeded';
  statuses: string[];
  /** Instances the emulator executed, in id order. */
  executed: number;
  check?: (executions: ExecutionRecord[], result: BulkyRunCommandResult) => void;
}

const fails = (n: number) => ({ durationMs: 50, exitCode: n });
const ok = { durationMs: 50, exitCode: 0 };
const times = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

const childCases: ChildCase[] = [
  {
    name: 'MaxErrors 0, Concurrency 1, the 2nd instance fails: 1 success, 1 failed, the rest Skipped',
    region: 'cn-t01',
    instances: fleet(5, (i) => (i === 2 ? fails(1) : ok)),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 } },
    outcome: 'MaxErrorsExceeded',
    statuses: ['Success', 'Failed', 'Skipped', 'Skipped', 'Skipped'],
    executed: 2,
  },
  {
    name: 'MaxErrors 3 of 10, the first 6 fail, Concurrency 1: 4 failed, 6 Skipped',
    region: 'cn-t02',
    instances: fleet(10, (i) => (i <= 6 ? fails(2) : ok)),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 3 } },
    outcome: 'MaxErrorsExceeded',
    statuses: [...times(4, 'Failed'), ...times(6, 'Skipped')],
    executed: 4,
  },
  {
    name: 'MaxErrors "10%" of 20, Concurrency 1, all fail: stops at the 3rd failure',
    region: 'cn-t03',
    instances: fleet(20, () => fails(1)),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: '10%' } },
    outcome: 'MaxErrorsExceeded',
    statuses: [...times(3, 'Failed'), ...times(17, 'Skipped')],
    executed: 3,
  },
  {
    name: 'MaxErrors "100%", all fail: all run and the run is PartialFailed',
    region: 'cn-t04',
    instances: fleet(6, () => fails(3)),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: '100%' } },
    outcome: 'PartialFailed',
    statuses: times(6, 'Failed'),
    executed: 6,
  },
  {
    name: 'errors within MaxErrors: PartialFailed',
    region: 'cn-t05',
    instances: fleet(4, (i) => (i === 3 ? fails(1) : ok)),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 4, MaxErrors: 1 } },
    outcome: 'PartialFailed',
    statuses: ['Success', 'Success', 'Failed', 'Success'],
    executed: 4,
  },
  {
    name: 'Concurrency 5, MaxErrors 0, all fail: the 5 running finish as Failed, the rest Skipped',
    region: 'cn-t06',
    instances: fleet(12, () => fails(1)),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 5, MaxErrors: 0 } },
    outcome: 'MaxErrorsExceeded',
    statuses: [...times(5, 'Failed'), ...times(7, 'Skipped')],
    executed: 5,
  },
  {
    name: 'Concurrency 5, MaxErrors 0, stopOnMaxErrors: exactly the running ones are stopped',
    region: 'cn-t07',
    instances: fleet(12, (i) => (i === 1 ? { durationMs: 100, exitCode: 1 } : { durationMs: 30_000, exitCode: 0 })),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 5, MaxErrors: 0 }, stopOnMaxErrors: true },
    outcome: 'MaxErrorsExceeded',
    statuses: ['Failed', ...times(4, 'Terminated'), ...times(7, 'Skipped')],
    executed: 5,
    check: (executions) => {
      for (const e of executions)
        assert.ok(e.finishTime !== null && e.finishTime - e.startTime < 15_000, 'stopped early');
    },
  },
  {
    name: 'Concurrency "25%" of 8: never more than 2 executing at once, and 2 reached',
    region: 'cn-t08',
    instances: fleet(8, () => ({ durationMs: 400, exitCode: 0 })),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: '25%', MaxErrors: 0 } },
    outcome: 'Success',
    statuses: times(8, 'Success'),
    executed: 8,
    check: (executions) => assert.equal(maxOverlap(executions), 2),
  },
  {
    name: 'sliding window per instance: one slow instance does not hold the slots freed by fast ones',
    region: 'cn-t09',
    instances: fleet(10, (i) => (i === 1 ? { durationMs: 4000, exitCode: 0 } : { durationMs: 100, exitCode: 0 })),
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: 0 } },
    outcome: 'Success',
    statuses: times(10, 'Success'),
    executed: 10,
    check: (executions) => {
      const slow = executions.find((e) => e.instanceId === 'i-001')!;
      const fast = executions.filter((e) => e.instanceId !== 'i-001');
      assert.ok(
        Math.max(...fast.map((e) => e.finishTime!)) < slow.finishTime!,
        'all fast ones end before the slow one',
      );
      assert.equal(maxOverlap(executions), 3);
    },
  },
  {
    name: 'Batch [1, "50%"] of 10: waves of 1, 5, 4 in that order, never overlapping',
    region: 'cn-t10',
    instances: fleet(10, () => ({ durationMs: 200, exitCode: 0 })),
    params: { rateControl: { Mode: 'Batch', Batch: [1, '50%'], MaxErrors: 0 } },
    outcome: 'Success',
    statuses: times(10, 'Success'),
    executed: 10,
    check: (executions) => {
      const waves = [['i-001'], ['i-002', 'i-003', 'i-004', 'i-005', 'i-006'], ['i-007', 'i-008', 'i-009', 'i-010']];
      const of = (ids: string[]) => executions.filter((e) => ids.includes(e.instanceId));
      for (let k = 0; k + 1 < waves.length; k++) {
        const lastEnd = Math.max(...of(waves[k]!).map((e) => e.finishTime!));
        const nextStart = Math.min(...of(waves[k + 1]!).map((e) => e.startTime));
        assert.ok(lastEnd <= nextStart, `wave ${k + 1} ends before wave ${k + 2} starts`);
      }
      assert.deepEqual(
        waves.map((w) => maxOverlap(of(w))),
        [1, 5, 4],
      );
    },
  },
];

const locationRegions = ['cn-l01', 'cn-l02', 'cn-l03'];
const controlRegions = {
  pause: 'cn-c01',
  raise: 'cn-c02',
  invalid: 'cn-c03',
  cancelA: 'cn-c04',
  cancelB: 'cn-c05',
  batchPause: 'cn-c06',
  cancelContinued: 'cn-c07',
};

function world() {
  const regions: Record<string, ReturnType<typeof fleet>> = {};
  for (const c of childCases) regions[c.region] = c.instances;
  for (const r of locationRegions) regions[r] = fleet(2, () => ({ durationMs: 300, exitCode: 0 }));
  regions[controlRegions.pause] = fleet(8, () => ({ durationMs: 300, exitCode: 0 }));
  regions[controlRegions.raise] = fleet(12, () => ({ durationMs: 600, exitCode: 0 }));
  regions[controlRegions.invalid] = fleet(3, () => ({ durationMs: 1500, exitCode: 0 }));
  regions[controlRegions.cancelA] = fleet(4, () => ({ durationMs: 60_000, exitCode: 0 }));
  regions[controlRegions.cancelB] = fleet(4, () => ({ durationMs: 60_000, exitCode: 0 }));
  regions[controlRegions.batchPause] = fleet(8, () => ({ durationMs: 100, exitCode: 0 }));
  regions[controlRegions.cancelContinued] = fleet(60, () => ({ durationMs: 200, exitCode: 0 }));
  const w = simulatedWorld(regions);
  // An account whose role does not trust the hub: its locations fail at the role chain.
  w.accounts.push({
    id: '777777',
    roles: [
      {
        name: 'OOSServiceRole',
        trustPolicy: {
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::999999:root'] } }],
          Version: '1',
        },
        policies: ['AliyunECSFullAccess'],
      },
    ],
    regions: { 'cn-l01': { instances: [instance(1, ok)] } },
  });
  return w;
}

let h: Harness;
before(async () => {
  h = await startHarness({ scenario: world() });
});
after(async () => h?.close());

const executionsIn = (region: string) =>
  h.emulator
    .audit()
    .executions.filter((e) => e.regionId === region)
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));

/** Runs the child and returns its result, also when it failed on MaxErrors. */
async function runChild(workflowId: string, input: Record<string, unknown>) {
  try {
    const result = (await h.run(() =>
      h.client.workflow.execute('bulkyRunCommand', { args: [input], taskQueue: h.taskQueue, workflowId }),
    )) as BulkyRunCommandResult;
    return { outcome: result.status as string, result };
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
    assert.equal(err.cause.nonRetryable, true);
    return {
      outcome: err.cause.type!,
      result: err.cause.details![0] as BulkyRunCommandResult,
      message: err.cause.message,
    };
  }
}

describe('instance-level RateControl (bulkyRunCommand)', () => {
  for (const c of childCases) {
    test(c.name, async () => {
      const { outcome, result, message } = await runChild(
        `rc-${c.region}-${Date.now()}`,
        childInput(c.region, c.params),
      );
      assert.equal(outcome, c.outcome, message);
      assert.deepEqual(
        result.instances.map((i) => i.status),
        c.statuses,
      );
      const failed = c.statuses.filter((s) => s === 'Failed').length;
      const cancelled = c.statuses.filter((s) => s === 'Terminated' || s === 'Cancelled').length;
      assert.deepEqual(result.counts, {
        total: c.statuses.length,
        success: c.statuses.filter((s) => s === 'Success').length,
        failed,
        skipped: c.statuses.filter((s) => s === 'Skipped').length,
        cancelled,
      });
      if (c.outcome === 'MaxErrorsExceeded') {
        assert.match(message!, new RegExp(`${failed + cancelled} errors > MaxErrors`));
      }
      const executions = executionsIn(c.region);
      assert.equal(executions.length, c.executed, 'executions');
      assert.equal(new Set(executions.map((e) => e.instanceId)).size, c.executed, 'each instance at most once');
      c.check?.(executions, result);
    });
  }
});

describe('location-level RateControl (multiAccountExecute)', () => {
  test('Concurrency 1 over 3 locations runs them one after another', async () => {
    const input = seedRun(locationRegions, {}, { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 } });
    const result = (await h.run(() =>
      h.client.workflow.execute('multiAccountExecute', {
        args: [input],
        taskQueue: h.taskQueue,
        workflowId: `loc-seq-${Date.now()}`,
      }),
    )) as MultiAccountExecuteResult;
    assert.equal(result.status, 'Success');
    assert.deepEqual(result.instanceCounts, { total: 6, success: 6, failed: 0, skipped: 0, cancelled: 0 });
    const spans = locationRegions.map((r) => {
      const ex = executionsIn(r);
      return [Math.min(...ex.map((e) => e.startTime)), Math.max(...ex.map((e) => e.finishTime!))] as const;
    });
    for (let i = 0; i + 1 < spans.length; i++) assert.ok(spans[i]![1] <= spans[i + 1]![0], `location ${i + 2} waits`);
  });

  test('FirstBatchPause between location waves: waits with nothing running (no busy loop), resume runs the rest', async () => {
    const input = seedRun(
      locationRegions,
      {},
      { rateControl: { Mode: 'Batch', Batch: [1, 2], BatchPauseOption: 'FirstBatchPause', MaxErrors: 0 } },
    );
    const before = locationRegions.map((r) => executionsIn(r).length);
    const ran = () => locationRegions.map((r, i) => executionsIn(r).length - before[i]!);
    const handle = await h.client.workflow.start('multiAccountExecute', {
      args: [input],
      taskQueue: h.taskQueue,
      workflowId: `loc-batch-pause-${Date.now()}`,
    });
    await until('the first location done and waiting', async () => {
      const p = (await handle.query(progressQuery)) as ParentProgress;
      return p.rateControl.waitingForResume && p.counts.success === 1;
    });
    // Longer than the SDK's 2 s deadlock detection: a loop spinning while it waits would fail its task.
    await sleep(3000);
    assert.deepEqual(ran(), [2, 0, 0]);
    await handle.signal('resume');
    const result = (await h.run(() => handle.result())) as MultiAccountExecuteResult;
    assert.equal(result.status, 'Success');
    assert.deepEqual(ran(), [2, 2, 2]);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.workflowTaskFailedEventAttributes).length, 0, 'no workflow task failed');
  });

  test('location MaxErrors 0: the first location fails on its role chain, the others are Skipped', async () => {
    const input = seedRun(locationRegions, {}, { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 } });
    input.accountRoleAndRegions[0] = { OOSAssumeRole: 'OOSServiceRole|777777/OOSServiceRole', RegionId: 'cn-l01' };
    const before = h.emulator.audit().executions.length;
    const err = await h
      .run(() =>
        h.client.workflow.execute('multiAccountExecute', {
          args: [input],
          taskQueue: h.taskQueue,
          workflowId: `loc-maxerr-${Date.now()}`,
        }),
      )
      .then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'MaxErrorsExceeded');
    const result = err.cause.details![0] as MultiAccountExecuteResult;
    assert.deepEqual(
      result.locations.map((l) => [l.accountId, l.status]),
      [
        ['777777', 'Failed'],
        ['654321', 'Skipped'],
        ['654321', 'Skipped'],
      ],
    );
    assert.deepEqual(result.counts, { total: 3, success: 0, failed: 1, skipped: 2, cancelled: 0 });
    assert.match(result.locations[0]!.error!, /acs:ram::777777:role\/OOSServiceRole/);
    assert.match(result.locations[0]!.error!, /trust policy/);
    assert.equal(h.emulator.audit().executions.length, before, 'nothing ran');
  });

  test('a member role that does not trust the hub fails its location on the first try; the others run (MaxErrors 1)', async () => {
    const input = seedRun(locationRegions, {}, { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 1 } });
    input.accountRoleAndRegions[0] = { OOSAssumeRole: 'OOSServiceRole|777777/OOSServiceRole', RegionId: 'cn-l01' };
    const workflowId = `loc-untrusted-${Date.now()}`;
    h.emulator.resetAudit();
    const result = (await h.run(() =>
      h.client.workflow.execute('multiAccountExecute', { args: [input], taskQueue: h.taskQueue, workflowId }),
    )) as MultiAccountExecuteResult;
    assert.equal(result.status, 'PartialFailed');
    assert.deepEqual(
      result.locations.map((l) => [l.accountId, l.regionId, l.status]),
      [
        ['777777', 'cn-l01', 'Failed'],
        ['654321', 'cn-l02', 'Success'],
        ['654321', 'cn-l03', 'Success'],
      ],
    );
    assert.deepEqual(result.counts, { total: 3, success: 2, failed: 1, skipped: 0, cancelled: 0 });
    // Actionable: which role, which principal to add to its trust policy.
    assert.match(result.locations[0]!.error!, /acs:ram::777777:role\/OOSServiceRole/);
    assert.match(result.locations[0]!.error!, /acs:ram::123456:role\/OOSServiceRole/);
    assert.match(result.locations[0]!.error!, /trust policy/);
    // Fast: the denied AssumeRole is not retried (one attempt of one activity in the failed child).
    const child = await h.client.workflow.getHandle(`${workflowId}/777777/cn-l01`).fetchHistory();
    const attempts = (child.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    assert.deepEqual(
      attempts.map((e) => e.activityTaskStartedEventAttributes!.attempt),
      [1],
    );
    const denied = h.emulator.audit().calls.filter((c) => c.action === 'AssumeRole' && c.errorCode !== null);
    assert.deepEqual(
      denied.map((c) => c.errorCode),
      ['NoPermission'],
      'the denied AssumeRole was made once',
    );
    assert.deepEqual(
      executionsIn('cn-l02').map((e) => e.instanceId),
      ['i-001', 'i-002'],
    );
  });
});

/** Polls `probe` every 50 ms until it returns true (fails after timeoutMs). */
async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live control', () => {
  test('pause stops new starts while running ones finish; resume goes on', async () => {
    const region = controlRegions.pause;
    const handle = await h.client.workflow.start('bulkyRunCommand', {
      args: [childInput(region, { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 } })],
      taskQueue: h.taskQueue,
      workflowId: `pause-${Date.now()}`,
    });
    await until('2 executions', () => executionsIn(region).length >= 2);
    await handle.signal('pause');
    await sleep(400); // the one running when paused finishes
    const whilePaused = executionsIn(region).length;
    await sleep(1200);
    assert.equal(executionsIn(region).length, whilePaused, 'nothing starts while paused');
    assert.ok(whilePaused <= 3);
    const progress = await handle.query(progressQuery);
    assert.equal(progress.rateControl.paused, true);
    await handle.signal('resume');
    const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;
    assert.equal(result.status, 'Success');
    assert.equal(executionsIn(region).length, 8);
  });

  test('setRateControl raises then lowers concurrency mid-run', async () => {
    const region = controlRegions.raise;
    const handle = await h.client.workflow.start('bulkyRunCommand', {
      args: [childInput(region, { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 } })],
      taskQueue: h.taskQueue,
      workflowId: `raise-${Date.now()}`,
    });
    await until('first execution', () => executionsIn(region).length >= 1);
    const raised = await handle.executeUpdate(setRateControlUpdate, { args: [{ Concurrency: 4 }] });
    assert.equal(raised.concurrency, 4);
    await until('4 running at once', () => maxOverlap(executionsIn(region)) >= 4);
    const lowered = await handle.executeUpdate(setRateControlUpdate, { args: [{ Concurrency: 1 }] });
    assert.equal(lowered.concurrency, 1);
    const loweredAt = Date.now();
    const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;
    assert.equal(result.status, 'Success');
    const all = executionsIn(region);
    assert.equal(all.length, 12);
    assert.equal(maxOverlap(all), 4, 'never more than the raised concurrency');
    const startedAfter = all.filter((e) => e.startTime > loweredAt + 100);
    assert.ok(startedAfter.length > 0);
    assert.equal(maxOverlap(startedAfter), 1, 'one at a time after lowering');
  });

  test('an invalid setRateControl is rejected and the run is untouched', async () => {
    const region = controlRegions.invalid;
    const handle = await h.client.workflow.start('bulkyRunCommand', {
      args: [childInput(region, { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 } })],
      taskQueue: h.taskQueue,
      workflowId: `invalid-update-${Date.now()}`,
    });
    await until('running', () => executionsIn(region).length >= 1);
    for (const bad of [{ Concurrency: 0 }, { MaxErrors: '150%' }, { Concurrency: 'abc' }, {}]) {
      await assert.rejects(
        handle.executeUpdate(setRateControlUpdate, { args: [bad as RateControlChange] }),
        (err: unknown) => {
          assert.ok(err instanceof WorkflowUpdateFailedError);
          assert.match((err.cause as Error).message, /setRateControl: /);
          return true;
        },
      );
    }
    const progress = await handle.query(progressQuery);
    assert.deepEqual([progress.rateControl.concurrency, progress.rateControl.maxErrors], [2, 0]);
    const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;
    assert.equal(result.status, 'Success');
    const history = await handle.fetchHistory();
    const updates = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    assert.equal(updates.length, 0, 'rejected updates leave no history');
  });

  test('Batch with FirstBatchPause waits for resume after the first wave', async () => {
    const region = controlRegions.batchPause;
    const handle = await h.client.workflow.start('bulkyRunCommand', {
      args: [
        childInput(region, {
          rateControl: { Mode: 'Batch', Batch: [2, 3], BatchPauseOption: 'FirstBatchPause', MaxErrors: 0 },
        }),
      ],
      taskQueue: h.taskQueue,
      workflowId: `batch-pause-${Date.now()}`,
    });
    await until('first wave done and waiting', async () => {
      const p = await handle.query(progressQuery);
      return p.rateControl.waitingForResume;
    });
    await sleep(800);
    assert.equal(executionsIn(region).length, 2, 'only the first wave ran');
    await handle.signal('resume');
    const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;
    assert.equal(result.status, 'Success');
    assert.equal(executionsIn(region).length, 8);
  });

  test('cancelling the parent cancels its children and stops their running invocations', async () => {
    const regions = [controlRegions.cancelA, controlRegions.cancelB];
    const handle = await h.client.workflow.start('multiAccountExecute', {
      args: [seedRun(regions, { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 } })],
      taskQueue: h.taskQueue,
      workflowId: `cancel-${Date.now()}`,
    });
    await until('4 running', () => regions.every((r) => executionsIn(r).length === 2));
    const started = Date.now();
    await handle.cancel();
    const err = await h
      .run(() => handle.result())
      .then(
        () => assert.fail('should be cancelled'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(Date.now() - started < 20_000, 'stops promptly');
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'Cancelled');
    const result = err.cause.details![0] as MultiAccountExecuteResult;
    assert.equal(result.status, 'Cancelled');
    assert.deepEqual(
      result.locations.map((l) => l.status),
      ['Cancelled', 'Cancelled'],
    );
    // The 2 running per region were stopped (Terminated), the 2 not yet started never ran (Skipped).
    assert.deepEqual(result.instanceCounts, { total: 8, success: 0, failed: 0, skipped: 4, cancelled: 4 });
    const stops = h.emulator
      .audit()
      .calls.filter((c) => c.action === 'StopInvocation' && c.httpStatus === 200 && regions.includes(c.regionId ?? ''));
    assert.equal(stops.length, 2, 'one StopInvocation per running invocation');
    for (const r of regions) {
      const ex = executionsIn(r);
      assert.equal(ex.length, 2);
      for (const e of ex) assert.equal(e.status, 'Terminated');
    }
  });

  test('cancelling the parent reaches a child that has continued as new', async () => {
    const region = controlRegions.cancelContinued;
    const handle = await h.client.workflow.start('multiAccountExecute', {
      args: [
        seedRun([region], {
          rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 },
          continueAsNewAfterEvents: 100,
        }),
      ],
      taskQueue: h.taskQueue,
      workflowId: `cancel-continued-${Date.now()}`,
    });
    const childId = `${handle.workflowId}/654321/${region}`;
    await until(
      'the child has continued as new',
      async () => {
        let runs = 0;
        for await (const _ of h.client.workflow.list({ query: `WorkflowId="${childId}"` })) runs++;
        return runs >= 2;
      },
      60_000,
    );
    await handle.cancel();
    const err = await h
      .run(() => handle.result())
      .then(
        () => assert.fail('should be cancelled'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
    const result = err.cause.details![0] as MultiAccountExecuteResult;
    assert.deepEqual(
      result.locations.map((l) => l.status),
      ['Cancelled'],
    );
    const executed = executionsIn(region).length;
    assert.ok(executed < 60, `the child stopped early (${executed} of 60 ran)`);
    assert.equal(result.instanceCounts.skipped, 60 - executed, 'the rest never started');
    await sleep(1000);
    assert.equal(executionsIn(region).length, executed, 'nothing starts after the cancel');
  });
});
