// Temporal server restarts mid-run (DESIGN §5): this file runs its OWN dev server on a database file, stops
// it gracefully (SIGTERM) and later kills it (SIGKILL) while commands run, each time restarting it on the
// same file and port. The run completes with the right result, every instance executed exactly once, and
// the worker process rides out both outages without a restart.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Behavior } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';
import type { MultiAccountExecuteResult } from '../../contract/results';
import { findFreePort, startDevServer, type DevServer } from '../../scripts/devServer';
import { resultQuery } from '../../workflows/messages';
import { killAllProcesses, WorkerProcess, workflowBundleFile } from '../support/processes';
import { fleet, seedRun, simulatedWorld } from '../support/worlds';

const REGIONS = ['cn-s01', 'cn-s02'];
const PER_REGION = 60;

function behavior(n: number): Behavior {
  return { durationMs: 1000 + ((n * 389) % 1001), exitCode: n % 17 === 0 ? 2 : 0, output: `n=${n}\n` };
}
const world = simulatedWorld(Object.fromEntries(REGIONS.map((r) => [r, fleet(PER_REGION, behavior)])));
const user = world.accounts.flatMap((a) => a.users ?? [])[0]!;
const input = seedRun(
  REGIONS,
  { rateControl: { Mode: 'Concurrency', Concurrency: 10, MaxErrors: '100%' }, pollIntervalSeconds: 0.2 },
  { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 } },
);
const expected = Array.from({ length: PER_REGION }, (_, i) => {
  const b = behavior(i + 1);
  return [`i-${String(i + 1).padStart(3, '0')}`, b.exitCode === 0 ? 'Success' : 'Failed', b.exitCode, b.output];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-run-server-restart-'));
const dbFile = path.join(dir, 'temporal.db');
let port: number;
let server: DevServer;
let emulator: EmulatorHandle;
let worker: WorkerProcess;
let connection: Connection;
const taskQueue = `server-restart-${process.pid}`;

before(async () => {
  port = await findFreePort();
  server = await startDevServer({ dbFile, port });
  emulator = await startEmulator({ scenario: world });
  worker = await WorkerProcess.start({
    address: server.address,
    taskQueue,
    endpoint: emulator.url,
    accessKeyId: user.accessKeyId,
    accessKeySecret: user.accessKeySecret,
    bundlePath: await workflowBundleFile(),
  });
  connection = await Connection.connect({ address: server.address });
});

after(async () => {
  await worker?.stop(5_000);
  await killAllProcesses();
  await connection?.close().catch(() => undefined);
  await server?.stop();
  await emulator?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A workflow's result, riding out the moments the server is unreachable. */
function resultOf<T>(handle: WorkflowHandle): Promise<T> {
  return ridingOutages(() => handle.result() as Promise<T>);
}

/** Retries a call while the server is unreachable (not when the workflow itself failed). */
async function ridingOutages<T>(call: () => Promise<T>, deadlineMs = 240_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline || (err as Error).name === 'WorkflowFailedError') throw err;
      await sleep(500);
    }
  }
}

test(
  'the dev server is stopped (SIGTERM) and later killed (SIGKILL) mid-run, restarted on the same db: the run completes, exactly once',
  { timeout: 6 * 60_000 },
  async () => {
    const client = new Client({ connection });
    const t0 = Date.now();
    const handle = await client.workflow.start('multiAccountExecute', {
      args: [input],
      taskQueue,
      workflowId: `server-restart-${Date.now()}`,
    });
    const executed = () => emulator.audit().executions.length;
    const outages: { how: string; atMs: number; executedBefore: number; downMs: number }[] = [];
    const outage = async (how: 'SIGTERM' | 'SIGKILL', minExecuted: number) => {
      await until(`${minExecuted} executions`, () => executed() >= minExecuted);
      const atMs = Date.now() - t0;
      const executedBefore = executed();
      const down = Date.now();
      if (how === 'SIGKILL') process.kill(server.pid, 'SIGKILL');
      await server.stop();
      await sleep(3000); // commands go on in the cloud; the worker cannot reach Temporal
      server = await startDevServer({ dbFile, port });
      outages.push({ how, atMs, executedBefore, downMs: Date.now() - down });
    };
    await outage('SIGTERM', 20);
    await outage('SIGKILL', 70);

    const parent = await resultOf<MultiAccountExecuteResult>(handle);
    // The parent keeps counts; each child's full result is its `result` query.
    const children = await Promise.all(
      parent.locations.map((l) => ridingOutages(() => client.workflow.getHandle(l.workflowId).query(resultQuery))),
    );
    console.log(JSON.stringify({ totalMs: Date.now() - t0, outages }));

    assert.equal(parent.status, 'PartialFailed');
    assert.deepEqual(parent.instanceCounts, { total: 120, success: 114, failed: 6, skipped: 0, cancelled: 0 });
    assert.deepEqual(
      parent.locations.map((l) => [l.regionId, l.status]),
      [
        ['cn-s01', 'PartialFailed'],
        ['cn-s02', 'PartialFailed'],
      ],
    );
    for (const child of children) {
      assert.deepEqual(
        child.instances.map((i) => [i.instanceId, i.status, i.exitCode, i.output]),
        expected,
      );
    }
    // Exactly once: each instance of each region executed one time, by the invocation its result names.
    const audit = emulator.audit();
    const runs = new Map<string, string[]>();
    for (const e of audit.executions) {
      runs.set(`${e.regionId}/${e.instanceId}`, [...(runs.get(`${e.regionId}/${e.instanceId}`) ?? []), e.invokeId]);
    }
    assert.equal(runs.size, REGIONS.length * PER_REGION);
    for (const child of children) {
      for (const i of child.instances) assert.deepEqual(runs.get(`${child.regionId}/${i.instanceId}`), [i.invokeId]);
    }
    // The worker rode out both outages: the same process, still running.
    assert.ok(worker.running, `the worker process died:\n${worker.output().slice(-3000)}`);
  },
);
