// The product under every fault the emulator injects (issue 4 §7), end to end on the real dev server: a
// worker whose activities use the real Alibaba SDK against the emulator in simulate mode.
//  - Transient faults (throttling, 5xx, resets, latency, invocations not yet visible, short STS lifetimes)
//    never fail an instance: every run ends all Success, and the audit shows each instance executed exactly
//    once and each ClientToken mapped to exactly one invocation.
//  - Real per-instance failures carry the cloud's InvocationStatus, ErrorCode and ErrorInfo into the result.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { CallRecord, ExecutionRecord, Faults } from '../../emulator/server';
import type { BulkyRunCommandResult, InstanceResult } from '../../contract/results';
import { startHarness, type Harness } from '../support/harness';
import { MEMBER, childInput, fleet, instance, simulatedWorld } from '../support/worlds';

const ok = (durationMs: number, output = 'ok\n') => ({ durationMs, exitCode: 0, output });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- transient faults: a table ------------------------------------------------------------------------

interface TransientCase {
  name: string;
  region: string;
  count: number;
  durationMs: number;
  faults: Faults;
  params: Record<string, unknown>;
  /** The fault really fired: calls of the case that prove it. */
  fired: (calls: CallRecord[]) => number;
  check?: (calls: CallRecord[], elapsedMs: number) => void;
}

const code = (c: string) => (calls: CallRecord[]) => calls.filter((x) => x.errorCode === c).length;
const oneByOne = { instancesPerCall: 1 };

const transientCases: TransientCase[] = [
  {
    name: 'RunCommand throttled to 1 call/s for the member account (Throttling.User)',
    region: 'cn-f01',
    count: 6,
    durationMs: 200,
    faults: { throttle: { [`${MEMBER}/RunCommand`]: { qps: 1 } } },
    params: { ...oneByOne, rateControl: { Mode: 'Concurrency', Concurrency: 6, MaxErrors: 0 } },
    fired: (calls) => calls.filter((c) => c.action === 'RunCommand' && c.errorCode === 'Throttling.User').length,
  },
  {
    name: 'DescribeInvocations throttled to 1 call/s (Throttling.User)',
    region: 'cn-f02',
    count: 4,
    durationMs: 500,
    faults: { throttle: { DescribeInvocations: { qps: 1 } } },
    params: { ...oneByOne, rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 } },
    fired: (calls) =>
      calls.filter((c) => c.action === 'DescribeInvocations' && c.errorCode === 'Throttling.User').length,
  },
  {
    name: 'RunCommand and DescribeInvocations both throttled to 2 calls/s, per account',
    region: 'cn-f03',
    count: 6,
    durationMs: 300,
    faults: {
      throttle: {
        RunCommand: { qps: 2, perAccount: true },
        DescribeInvocations: { qps: 2, perAccount: true },
      },
    },
    params: { ...oneByOne, rateControl: { Mode: 'Concurrency', Concurrency: 6, MaxErrors: 0 } },
    fired: code('Throttling.User'),
  },
  {
    name: 'errorRate 0.3: random 500 InternalError / 503 ServiceUnavailable on every API, STS included',
    region: 'cn-f04',
    count: 6,
    durationMs: 200,
    faults: { errorRate: 0.3 },
    params: { ...oneByOne, rateControl: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: 0 } },
    fired: (calls) => calls.filter((c) => c.httpStatus >= 500).length,
  },
  {
    name: 'resetRate 0.2 (0.6 on RunCommand): connections reset after the call took effect',
    region: 'cn-f05',
    count: 8,
    durationMs: 200,
    faults: { resetRate: { '*': 0.2, RunCommand: 0.6 } },
    params: { ...oneByOne, rateControl: { Mode: 'Concurrency', Concurrency: 4, MaxErrors: 0 } },
    fired: (calls) => calls.filter((c) => c.action === 'RunCommand' && c.errorCode === 'ConnectionReset').length,
    check: (calls) => {
      // The hard case happened: a RunCommand that took effect was sent again (same ClientToken) after a reset.
      const perToken = new Map<string, number>();
      for (const c of calls.filter((x) => x.action === 'RunCommand')) {
        perToken.set(c.params!.ClientToken!, (perToken.get(c.params!.ClientToken!) ?? 0) + 1);
      }
      assert.ok(
        [...perToken.values()].some((n) => n >= 2),
        'some RunCommand was retried with its ClientToken',
      );
    },
  },
  {
    name: 'latency 50-300 ms on every call',
    region: 'cn-f06',
    count: 4,
    durationMs: 200,
    faults: { latencyMs: [50, 300] },
    params: { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 } },
    fired: (calls) => calls.length,
    check: (calls, elapsedMs) => assert.ok(elapsedMs >= 100 * 2, `took ${elapsedMs} ms`),
  },
  {
    name: 'new invocations invisible for 1500 ms: polled until visible, never sent again',
    region: 'cn-f07',
    count: 4,
    durationMs: 300,
    faults: { invocationVisibilityDelayMs: 1500 },
    params: { ...oneByOne, rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 } },
    fired: (calls) => calls.filter((c) => c.action === 'DescribeInvocations').length,
    check: (calls, elapsedMs) => {
      assert.equal(calls.filter((c) => c.action === 'RunCommand').length, 4, 'one RunCommand per instance');
      assert.ok(elapsedMs >= 2 * 1500, `two waves, each invisible 1.5 s (took ${elapsedMs} ms)`);
    },
  },
];

// ---- per-instance failures: one run, one row per instance ---------------------------------------------

interface Expected {
  status: InstanceResult['status'];
  errorCode: string;
  errorInfo: string;
  exitCode: number | null;
  output: string;
  /** Executions the emulator recorded for this instance. */
  executed: 0 | 1;
}

const FAIL_REGION = 'cn-f10';
const failureRows: { spec: ReturnType<typeof instance>; expected: Expected }[] = [
  {
    spec: instance(1, ok(100, 'fine\n')),
    expected: { status: 'Success', errorCode: '', errorInfo: '', exitCode: 0, output: 'fine\n', executed: 1 },
  },
  {
    spec: instance(2, { durationMs: 100, exitCode: 3, output: 'oops\n' }),
    expected: {
      status: 'Failed',
      errorCode: 'ExitCodeNonzero',
      errorInfo: 'The command execution exit code is not zero',
      exitCode: 3,
      output: 'oops\n',
      executed: 1,
    },
  },
  {
    spec: instance(3, { durationMs: 5000, exitCode: 0 }), // timeout is 1 s
    expected: {
      status: 'Timeout',
      errorCode: 'ExecutionTimeout',
      errorInfo: 'The command execution has been timeout',
      exitCode: -1,
      output: '',
      executed: 1,
    },
  },
  {
    spec: instance(4, ok(100), { agent: 'offline' }),
    expected: {
      status: 'Aborted',
      errorCode: 'ClientNotRunning',
      errorInfo: 'The aliyun service is not running on the instance',
      exitCode: 0,
      output: '',
      executed: 0,
    },
  },
  {
    // Stopped before dispatch: targeted by id, so selection keeps it; the cloud aborts the delivery.
    spec: instance(5, ok(100), { status: 'Stopped' }),
    expected: {
      status: 'Aborted',
      errorCode: 'InstanceNotRunning',
      errorInfo: 'The specified instance was not running during task execution',
      exitCode: 0,
      output: '',
      executed: 0,
    },
  },
  {
    spec: instance(6, { durationMs: 5000, exitCode: 0 }), // stopped 300 ms into the run (faults.instanceEvents)
    expected: {
      status: 'Error',
      errorCode: 'InstanceNotRunning',
      errorInfo: 'The specified instance was not running during task execution',
      exitCode: -1,
      output: '',
      executed: 1,
    },
  },
  {
    spec: instance(7, { durationMs: 5000, exitCode: 0 }), // released 300 ms into the run
    expected: {
      status: 'Error',
      errorCode: 'InstanceReleased',
      errorInfo: 'The specified instance was released during task execution',
      exitCode: -1,
      output: '',
      executed: 1,
    },
  },
  {
    // Agent goes offline mid-run: the command's process goes on and its result is reported.
    spec: instance(8, ok(600, 'survived\n')),
    expected: { status: 'Success', errorCode: '', errorInfo: '', exitCode: 0, output: 'survived\n', executed: 1 },
  },
];
const MISSING_ID = 'i-999'; // not in the region at all: found missing by selection, never sent
const failureFaults: Faults = {
  instanceEvents: {
    'i-006': { event: 'stop', afterRunMs: 300 },
    'i-007': { event: 'release', afterRunMs: 300 },
    'i-008': { event: 'agentOffline', afterRunMs: 200 },
  },
};

// ---- agents flapping ----------------------------------------------------------------------------------

const FLAP_REGION = 'cn-f11';
const FLAP_SLOW_REGION = 'cn-f12';

// ---- the world ----------------------------------------------------------------------------------------

const CANCEL_REGION = 'cn-f13';
const RELEASE_REGION = 'cn-f14';
const STS_REGION = 'cn-f20';

function world() {
  const regions: Record<string, ReturnType<typeof fleet>> = {};
  for (const c of transientCases) regions[c.region] = fleet(c.count, () => ok(c.durationMs));
  regions[FAIL_REGION] = failureRows.map((r) => r.spec);
  regions[FLAP_REGION] = fleet(6, () => ok(100)).map((s) => ({ ...s, agent: 'flapping' as const }));
  regions[FLAP_SLOW_REGION] = fleet(2, () => ok(100)).map((s) => ({ ...s, agent: 'flapping' as const }));
  regions[CANCEL_REGION] = fleet(3, () => ok(20_000));
  regions[RELEASE_REGION] = fleet(4, () => ok(800));
  return simulatedWorld(regions);
}

let h: Harness;
before(async () => {
  h = await startHarness({ scenario: world() });
});
after(async () => h?.close());

/** Runs the child and returns its result, also when it failed (MaxErrorsExceeded carries the result). */
async function runChild(harness: Harness, workflowId: string, input: Record<string, unknown>) {
  try {
    const result = (await harness.run(() =>
      harness.client.workflow.execute('bulkyRunCommand', { args: [input], taskQueue: harness.taskQueue, workflowId }),
    )) as BulkyRunCommandResult;
    return { outcome: result.status as string, result };
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
    return { outcome: err.cause.type!, result: err.cause.details![0] as BulkyRunCommandResult };
  }
}

const executionsIn = (harness: Harness, region: string): ExecutionRecord[] =>
  harness.emulator
    .audit()
    .executions.filter((e) => e.regionId === region)
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId) || a.startTime - b.startTime);

const callsIn = (harness: Harness, region: string): CallRecord[] =>
  harness.emulator.audit().calls.filter((c) => c.regionId === region || c.regionId === null);

/** POST /_emulator/faults: merges the patch into the running emulator's faults (null removes a key). */
async function postFaults(harness: Harness, patch: Faults | Partial<Record<keyof Faults, null>>): Promise<void> {
  const res = await fetch(`${harness.emulator.url}/_emulator/faults`, {
    method: 'POST',
    body: JSON.stringify(patch),
  });
  assert.equal(res.status, 200, await res.text());
}

/** Every instance ran exactly once, and every ClientToken led to exactly one invocation. */
function assertExactlyOnce(harness: Harness, region: string, ids: string[]): void {
  const executions = executionsIn(harness, region);
  assert.deepEqual(
    executions.map((e) => e.instanceId),
    ids,
    'each instance executed exactly once',
  );
  const invokeByToken = new Map<string, Set<string>>();
  for (const c of harness.emulator.audit().calls) {
    if (c.action !== 'RunCommand' || c.regionId !== region || !c.params?.ClientToken || !c.params.InvokeId) continue;
    const set = invokeByToken.get(c.params.ClientToken) ?? new Set<string>();
    set.add(c.params.InvokeId);
    invokeByToken.set(c.params.ClientToken, set);
  }
  for (const [token, invokes] of invokeByToken) assert.equal(invokes.size, 1, `ClientToken ${token}: one invocation`);
  const invoked = new Set(executions.map((e) => e.invokeId));
  assert.equal(invoked.size, invokeByToken.size, 'as many invocations ran as distinct ClientTokens were sent');
}

describe('transient faults never fail an instance', () => {
  for (const c of transientCases) {
    test(c.name, async () => {
      h.emulator.resetAudit();
      await postFaults(h, c.faults); // through the admin endpoint, as an operator would at runtime
      const started = Date.now();
      try {
        const { outcome, result } = await runChild(
          h,
          `faults-${c.region}-${Date.now()}`,
          childInput(c.region, c.params),
        );
        const elapsed = Date.now() - started;
        assert.equal(outcome, 'Success', JSON.stringify(result?.instances?.filter((i) => i.status !== 'Success')));
        const ids = fleet(c.count, () => ok(0)).map((s) => s.id);
        assert.deepEqual(
          result.instances.map((i) => [i.instanceId, i.status, i.errorCode, i.exitCode, i.output]),
          ids.map((id) => [id, 'Success', '', 0, 'ok\n']),
        );
        assert.deepEqual(result.counts, { total: c.count, success: c.count, failed: 0, skipped: 0, cancelled: 0 });
        const calls = callsIn(h, c.region);
        assert.ok(c.fired(calls) > 0, 'the fault fired');
        assertExactlyOnce(h, c.region, ids);
        c.check?.(calls, elapsed);
      } finally {
        await postFaults(h, {
          throttle: null,
          errorRate: null,
          resetRate: null,
          latencyMs: null,
          invocationVisibilityDelayMs: null,
        });
      }
    });
  }
});

describe('per-instance failures carry the cloud’s status, ErrorCode and ErrorInfo', () => {
  test('nonzero exit, timeout, agent offline, stopped before dispatch, stopped / released / agent lost mid-run, missing id', async () => {
    h.emulator.setFaults(failureFaults);
    try {
      const ids = failureRows.map((r) => r.spec.id);
      const { outcome, result } = await runChild(
        h,
        `faults-failures-${Date.now()}`,
        childInput(FAIL_REGION, {
          targets: { Type: 'ResourceIds', ResourceIds: [...ids, MISSING_ID] },
          timeout: 1,
          rateControl: { Mode: 'Concurrency', Concurrency: 10, MaxErrors: '100%' },
        }),
      );
      assert.equal(outcome, 'PartialFailed');
      const got = new Map(result.instances.map((i) => [i.instanceId, i]));
      for (const { spec, expected } of failureRows) {
        const r = got.get(spec.id);
        assert.ok(r, spec.id);
        assert.deepEqual(
          {
            status: r.status,
            errorCode: r.errorCode,
            errorInfo: r.errorInfo,
            exitCode: r.exitCode,
            output: r.output,
          },
          {
            status: expected.status,
            errorCode: expected.errorCode,
            errorInfo: expected.errorInfo,
            exitCode: expected.exitCode,
            output: expected.output,
          },
          spec.id,
        );
        assert.match(r.invokeId ?? '', /^t-[0-9a-f]{20}$/, `${spec.id} was sent`);
      }
      const missing = got.get(MISSING_ID)!;
      assert.deepEqual(
        [missing.status, missing.errorCode, missing.errorInfo, missing.invokeId],
        ['Invalid', 'InstanceNotExists', 'The specified instance does not exist', null],
      );
      const success = failureRows.filter((r) => r.expected.status === 'Success').length;
      assert.deepEqual(result.counts, {
        total: failureRows.length + 1,
        success,
        failed: failureRows.length + 1 - success,
        skipped: 0,
        cancelled: 0,
      });
      const executions = executionsIn(h, FAIL_REGION);
      for (const { spec, expected } of failureRows) {
        assert.equal(executions.filter((e) => e.instanceId === spec.id).length, expected.executed, spec.id);
      }
      // The cloud's own record agrees with the result.
      const byId = new Map(executions.map((e) => [e.instanceId, e]));
      assert.equal(byId.get('i-006')!.status, 'Error');
      assert.equal(byId.get('i-007')!.status, 'Error');
      assert.ok(byId.get('i-007')!.finishTime! - byId.get('i-007')!.startTime < 2000, 'killed at release');
    } finally {
      h.emulator.setFaults({ instanceEvents: undefined });
    }
  });
});

describe('agents flapping', () => {
  test('a flapping agent is waited for: every delivery lands within the delivery timeout → all Success', async () => {
    // Online 100 ms of every 500: most deliveries find the agent away and wait for it.
    h.emulator.setFaults({ agentFlap: { onlineMs: 100, offlineMs: 400 } });
    try {
      const { outcome, result } = await runChild(h, `faults-flap-${Date.now()}`, childInput(FLAP_REGION, oneByOne));
      assert.equal(outcome, 'Success');
      assert.deepEqual(
        result.instances.map((i) => i.status),
        Array(6).fill('Success'),
      );
      assertExactlyOnce(
        h,
        FLAP_REGION,
        fleet(6, () => ok(0)).map((s) => s.id),
      );
      const sentAt = new Map(
        h.emulator
          .audit()
          .calls.filter((c) => c.action === 'RunCommand' && c.regionId === FLAP_REGION && c.httpStatus === 200)
          .map((c) => [c.params!.InvokeId!, c.time]),
      );
      const waited = executionsIn(h, FLAP_REGION).filter((e) => e.startTime - sentAt.get(e.invokeId)! >= 50);
      assert.ok(waited.length > 0, 'some delivery waited for its agent');
    } finally {
      h.emulator.setFaults({ agentFlap: undefined });
    }
  });

  test('an agent that stays away past the delivery timeout → Aborted + DeliveryTimeout, nothing ran', async () => {
    h.emulator.setFaults({ agentFlap: { onlineMs: 1, offlineMs: 600_000 }, deliveryTimeoutMs: 400 });
    try {
      const { outcome, result } = await runChild(
        h,
        `faults-flap-slow-${Date.now()}`,
        childInput(FLAP_SLOW_REGION, { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: '100%' } }),
      );
      assert.equal(outcome, 'PartialFailed');
      assert.deepEqual(
        result.instances.map((i) => [i.status, i.errorCode, i.errorInfo]),
        Array(2).fill(['Aborted', 'DeliveryTimeout', 'The command delivery has been timeout']),
      );
      assert.equal(executionsIn(h, FLAP_SLOW_REGION).length, 0);
    } finally {
      h.emulator.setFaults({ agentFlap: undefined, deliveryTimeoutMs: undefined });
    }
  });
});

describe('an instance released between target selection and dispatch', () => {
  test('only that instance fails; the others sent in the same RunCommand call still run', async () => {
    const handle = await h.client.workflow.start('bulkyRunCommand', {
      args: [childInput(RELEASE_REGION, { rateControl: { Mode: 'Batch', Batch: [2, 2], MaxErrors: '100%' } })],
      taskQueue: h.taskQueue,
      workflowId: `faults-release-before-dispatch-${Date.now()}`,
    });
    const deadline = Date.now() + 15_000;
    while (executionsIn(h, RELEASE_REGION).length < 2) {
      assert.ok(Date.now() < deadline, 'the first wave starts');
      await sleep(20);
    }
    h.emulator.setInstance(MEMBER, RELEASE_REGION, 'i-004', { released: true }); // wave 2 is [i-003, i-004]
    const { result } = await h.run(() =>
      handle.result().then(
        (r: BulkyRunCommandResult) => ({ result: r }),
        (err: unknown) => ({
          result: (err as WorkflowFailedError & { cause: ApplicationFailure }).cause
            .details![0] as BulkyRunCommandResult,
        }),
      ),
    );
    const byId = new Map(result.instances.map((i) => [i.instanceId, i]));
    assert.deepEqual(
      ['i-001', 'i-002', 'i-003'].map((id) => byId.get(id)!.status),
      ['Success', 'Success', 'Success'],
    );
    assert.notEqual(byId.get('i-004')!.status, 'Success');
    assert.ok(
      ['InvalidInstance.NotFound', 'InstanceNotExists', 'InstanceReleased'].includes(byId.get('i-004')!.errorCode),
    );
    assert.equal(executionsIn(h, RELEASE_REGION).length, 3);
  });
});

describe('cancel while the new invocation is not yet visible', () => {
  test('StopInvocation still reaches it: the running instances end Terminated, not left running', async () => {
    h.emulator.setFaults({ invocationVisibilityDelayMs: 2500 });
    try {
      const handle = await h.client.workflow.start('bulkyRunCommand', {
        args: [childInput(CANCEL_REGION)],
        taskQueue: h.taskQueue,
        workflowId: `faults-cancel-invisible-${Date.now()}`,
      });
      const deadline = Date.now() + 15_000;
      while (executionsIn(h, CANCEL_REGION).length < 3) {
        assert.ok(Date.now() < deadline, 'the 3 instances start');
        await sleep(20);
      }
      await handle.cancel();
      const { outcome, result } = await h.run(() =>
        handle.result().then(
          (r: BulkyRunCommandResult) => ({ outcome: String(r.status), result: r }),
          (err: unknown) => {
            assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
            return { outcome: err.cause.type!, result: err.cause.details![0] as BulkyRunCommandResult };
          },
        ),
      );
      assert.equal(outcome, 'Cancelled');
      assert.deepEqual(
        result.instances.map((i) => i.status),
        ['Terminated', 'Terminated', 'Terminated'],
      );
      const executions = executionsIn(h, CANCEL_REGION);
      assert.deepEqual(
        executions.map((e) => e.status),
        ['Terminated', 'Terminated', 'Terminated'],
      );
      for (const e of executions) assert.ok(e.finishTime! - e.startTime < 10_000, 'stopped, not run to the end');
    } finally {
      h.emulator.setFaults({ invocationVisibilityDelayMs: undefined });
    }
  });
});

describe('STS lifetimes shorter than the real minimum', () => {
  let sts: Harness;
  before(async () => {
    // Tokens live 5 s (the cloud's minimum is 900 s); the worker is configured for 5 s too.
    sts = await startHarness({
      scenario: simulatedWorld({ [STS_REGION]: fleet(8, () => ok(2000)) }, { stsDurationSeconds: 5 }),
      cloud: { stsDurationSeconds: 5 },
    });
  });
  after(async () => sts?.close());

  test('a run lasting several token lifetimes: credentials refreshed before expiry, every instance once', async (t) => {
    const started = Date.now();
    const { outcome, result } = await runChild(
      sts,
      `faults-sts-${Date.now()}`,
      childInput(STS_REGION, { rateControl: { Mode: 'Concurrency', Concurrency: 1, MaxErrors: 0 } }),
    );
    const elapsed = Date.now() - started;
    assert.equal(outcome, 'Success', JSON.stringify(result?.instances?.filter((i) => i.status !== 'Success')));
    assert.ok(elapsed > 3 * 5000, `the run outlived 3 lifetimes (${elapsed} ms)`);
    const ids = fleet(8, () => ok(0)).map((s) => s.id);
    assert.deepEqual(
      result.instances.map((i) => [i.instanceId, i.status]),
      ids.map((id) => [id, 'Success']),
    );
    assertExactlyOnce(sts, STS_REGION, ids);
    const calls = sts.emulator.audit().calls;
    const assumes = calls.filter((c) => c.action === 'AssumeRole' && c.httpStatus === 200);
    assert.ok(assumes.length >= 2 * 3, `the 2-hop chain was assumed again and again (${assumes.length} AssumeRole)`);
    // Refreshed before expiry: a refresh forced by an expired token shows as an Expired error first. A busy
    // machine may let a call sign with 1 s left and arrive late, so a few are tolerated, not most.
    const expired = calls.filter((c) => c.errorCode === 'InvalidSecurityToken.Expired');
    t.diagnostic(`${assumes.length} AssumeRole, ${expired.length} calls with an expired token (retried)`);
    assert.ok(expired.length < assumes.length / 4, `most refreshes were ahead of expiry (${expired.length} expired)`);
  });
});
