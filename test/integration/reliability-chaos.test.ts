// Exactly once under worker crashes (DESIGN §5): 520 instances over 4 locations run with the worker as a
// separate process (`node --import tsx worker/main.ts`, what `npm run worker` runs) that is SIGKILLed at
// least 5 times mid-run and restarted each time. Kills land when the worker is busy: at least once right
// after a RunCommand took effect in the cloud while a proxy keeps its answer from the worker, so nobody
// recorded the invoke id. The run ends with exactly the result of an undisturbed run of the same world,
// the emulator's audit shows every instance executed exactly once, and every re-sent RunCommand got the
// invocation its ClientToken first created.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Behavior } from '../../emulator/scenario';
import { startEmulator, type AuditLog, type EmulatorHandle } from '../../emulator/server';
import type { BulkyRunCommandResult, MultiAccountExecuteResult } from '../../contract/results';
import { resultQuery } from '../../workflows/messages';
import { startHoldingProxy, type HoldingProxy } from '../support/holdingProxy';
import { killAllProcesses, RestartableWorker, workflowBundleFile } from '../support/processes';
import { temporalAddress } from '../support/harness';
import { fleet, MEMBER, seedRun, simulatedWorld } from '../support/worlds';

const REGIONS = ['cn-x01', 'cn-x02', 'cn-x03', 'cn-x04'];
const PER_REGION = 130; // 520 instances
const KILLS = 5;

/** Deterministic per instance: 1-3 s, every 23rd exits 3, output names the instance. */
function behavior(region: string, n: number): Behavior {
  return {
    durationMs: 1000 + ((n * 7919 + region.charCodeAt(5) * 31) % 2001),
    exitCode: n % 23 === 0 ? 3 : 0,
    output: `ran ${region}/i-${String(n).padStart(3, '0')}\n`,
  };
}

const world = simulatedWorld(Object.fromEntries(REGIONS.map((r) => [r, fleet(PER_REGION, (n) => behavior(r, n))])));
const user = world.accounts.flatMap((a) => a.users ?? [])[0]!;
const input = seedRun(
  REGIONS,
  {
    rateControl: { Mode: 'Concurrency', Concurrency: 50, MaxErrors: '100%' },
    instancesPerCall: 100,
    pollIntervalSeconds: 0.2,
  },
  { rateControl: { Mode: 'Concurrency', Concurrency: 4, MaxErrors: 0 } },
);

/** What the world says each instance must end as, per region in id order. */
const expected = REGIONS.map((region) =>
  Array.from({ length: PER_REGION }, (_, i) => {
    const b = behavior(region, i + 1);
    return [`i-${String(i + 1).padStart(3, '0')}`, b.exitCode === 0 ? 'Success' : 'Failed', b.exitCode, b.output];
  }),
);

let emulator: EmulatorHandle;
let connection: Connection;
let client: Client;
let worker: RestartableWorker;
let proxy: HoldingProxy;
const taskQueue = `chaos-${process.pid}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  emulator = await startEmulator({ scenario: world });
  proxy = await startHoldingProxy(emulator.url);
  connection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection });
  worker = new RestartableWorker({
    address: temporalAddress(),
    taskQueue,
    endpoint: proxy.url, // the worker reaches the emulator through the proxy
    accessKeyId: user.accessKeyId,
    accessKeySecret: user.accessKeySecret,
    bundlePath: await workflowBundleFile(),
  });
  await worker.start();
});

after(async () => {
  await worker?.stop();
  await killAllProcesses(); // also a worker a failed test was still starting
  if (client) {
    for await (const wf of client.workflow.list({ query: `TaskQueue="${taskQueue}" AND ExecutionStatus="Running"` })) {
      await client.workflow
        .getHandle(wf.workflowId, wf.runId)
        .terminate('test file finished')
        .catch(() => undefined);
    }
  }
  await connection?.close();
  await proxy?.close();
  await emulator?.close();
});

interface Outcome {
  parent: MultiAccountExecuteResult;
  children: BulkyRunCommandResult[];
}

async function outcomeOf(workflowId: string): Promise<Outcome> {
  const parent = (await client.workflow.getHandle(workflowId).result()) as MultiAccountExecuteResult;
  // The parent keeps counts; each child's full result is its `result` query (replayed by a worker).
  const children = await Promise.all(
    parent.locations.map((l) => client.workflow.getHandle(l.workflowId).query(resultQuery)),
  );
  return { parent, children };
}

/** The parts of an outcome that must not depend on crashes (ids and times do). */
function comparable(o: Outcome) {
  return {
    status: o.parent.status,
    counts: o.parent.counts,
    instanceCounts: o.parent.instanceCounts,
    locations: o.parent.locations.map((l) => [l.accountId, l.regionId, l.status, l.counts, l.error]),
    instances: o.children.map((c) => [
      c.regionId,
      c.status,
      c.counts,
      c.instances.map((i) => [i.instanceId, i.status, i.exitCode, i.errorCode, i.output, i.outputTruncated]),
    ]),
  };
}

/** Every instance of the world executed exactly once, and each result names the invocation that ran it. */
function assertExactlyOnce(audit: AuditLog, outcome: Outcome): void {
  const runs = new Map<string, string[]>();
  for (const e of audit.executions) {
    const key = `${e.regionId}/${e.instanceId}`;
    runs.set(key, [...(runs.get(key) ?? []), e.invokeId]);
  }
  const twice = [...runs].filter(([, ids]) => ids.length > 1);
  assert.deepEqual(twice, [], 'instances executed more than once');
  assert.equal(runs.size, REGIONS.length * PER_REGION, 'every instance executed');
  for (const child of outcome.children) {
    for (const i of child.instances) {
      assert.deepEqual(runs.get(`${child.regionId}/${i.instanceId}`), [i.invokeId], `${i.instanceId} invocation`);
    }
  }
  // A RunCommand retried with the same ClientToken got the invocation that token created, never a new one.
  const byToken = new Map<string, Set<string>>();
  for (const c of audit.calls) {
    if (c.action !== 'RunCommand' || c.httpStatus !== 200 || !c.params?.ClientToken) continue;
    byToken.set(c.params.ClientToken, (byToken.get(c.params.ClientToken) ?? new Set()).add(c.params.InvokeId!));
  }
  assert.deepEqual(
    [...byToken].filter(([, ids]) => ids.size > 1),
    [],
    'one invocation per ClientToken',
  );
}

test(
  `${REGIONS.length * PER_REGION} instances over ${REGIONS.length} locations: ${KILLS} SIGKILLs of the worker change nothing, each instance runs once`,
  { timeout: 8 * 60_000 },
  async () => {
    // 1. The undisturbed run: the reference result.
    const t0 = Date.now();
    const calm = await client.workflow.start('multiAccountExecute', {
      args: [input],
      taskQueue,
      workflowId: `chaos-calm-${Date.now()}`,
    });
    const reference = await outcomeOf(calm.workflowId);
    const calmMs = Date.now() - t0;
    assert.deepEqual(
      reference.children.map((c) => c.instances.map((i) => [i.instanceId, i.status, i.exitCode, i.output])),
      expected,
      'the undisturbed run is right',
    );
    assert.equal(reference.parent.status, 'PartialFailed');
    assertExactlyOnce(emulator.audit(), reference);

    // 2. The same world again, the worker SIGKILLed mid-run at least KILLS times.
    emulator.resetAudit();
    const t1 = Date.now();
    const handle = await client.workflow.start('multiAccountExecute', {
      args: [input],
      taskQueue,
      workflowId: `chaos-kill-${Date.now()}`,
    });
    let done = false;
    const finished = handle.result().finally(() => (done = true));
    finished.catch(() => undefined);
    type Kill = { atMs: number; while: 'RunCommand answer held' | 'busy' | 'idle'; restartMs: number };
    const kills: Kill[] = [];
    // Kill when the current worker is doing real work. Best: it sent a RunCommand that took effect in the
    // cloud, and the proxy keeps the answer from it, so nobody ever learned the invoke id. Else: it made
    // cloud calls for 1.5 s. A worker that sits idle (the activities of its killed predecessor wait for
    // their heartbeat timeout) is killed after IDLE_MS.
    const IDLE_MS = 12_000;
    while (kills.length < KILLS && !done) {
      const since = worker.history.at(-1)!.startedAt;
      const readyAt = Date.now();
      const hold = proxy.holdNext('RunCommand');
      let heldAnswer = false;
      void hold.held.then((h) => (heldAnswer = h !== undefined));
      let why: Kill['while'] = 'idle';
      while (!done) {
        if (heldAnswer) {
          why = 'RunCommand answer held';
          break;
        }
        // The first kill waits for a RunCommand to hold: the run starts with many of them.
        const calls = kills.length === 0 ? [] : emulator.audit().calls.filter((c) => c.time >= since);
        if (calls.length >= 3 && Date.now() - readyAt > 1500) {
          why = 'busy';
          break;
        }
        if (Date.now() - readyAt > (kills.length === 0 ? 60_000 : IDLE_MS)) break;
        await sleep(20);
      }
      hold.cancel();
      if (done) break;
      const atMs = Date.now() - t1;
      const { restartMs } = await worker.crashAndRestart();
      kills.push({ atMs, while: why, restartMs });
    }
    const result = (await finished) as MultiAccountExecuteResult;
    const chaosMs = Date.now() - t1;
    const disturbed = await outcomeOf(handle.workflowId);
    const audit = emulator.audit();
    const retriedTokens = new Map<string, number>();
    for (const c of audit.calls) {
      if (c.action === 'RunCommand' && c.params?.ClientToken)
        retriedTokens.set(c.params.ClientToken, (retriedTokens.get(c.params.ClientToken) ?? 0) + 1);
    }
    console.log(
      JSON.stringify({
        calmMs,
        chaosMs,
        kills,
        workerIncarnations: worker.history.length,
        runCommandCalls: audit.calls.filter((c) => c.action === 'RunCommand').length,
        runCommandTokensSentMoreThanOnce: [...retriedTokens.values()].filter((n) => n > 1).length,
        heldRunCommandAnswers: proxy.held().length,
      }),
    );

    assert.ok(kills.length >= KILLS, `killed ${kills.length} times before the run ended (want ${KILLS})`);
    // At least once the worker died right after a RunCommand took effect, before it could record the
    // invoke id: the retried dispatch sent the same ClientToken again and got the same invocation back.
    const held = proxy.held();
    assert.ok(held.length >= 1, 'a RunCommand answer was swallowed and its worker killed');
    for (const h of held) {
      assert.ok(h.clientToken, 'RunCommand carries a ClientToken');
      assert.ok(retriedTokens.get(h.clientToken)! >= 2, `the held dispatch ${h.clientToken} was sent again`);
    }
    assert.equal(result.status, 'PartialFailed');
    assert.deepEqual(comparable(disturbed), comparable(reference), 'same result as the undisturbed run');
    assertExactlyOnce(audit, disturbed);
    assert.equal(
      new Set(audit.executions.map((e) => `${e.regionId}/${e.instanceId}`)).size,
      REGIONS.length * PER_REGION,
    );
    assert.ok(
      audit.executions.every((e) => e.accountId === MEMBER),
      'all in the member account',
    );
  },
);
