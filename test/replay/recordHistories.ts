// Records the workflow histories that the replay test (test/unit/replay.test.ts) replays.
// Run after a deliberate workflow change, naming a new set:  npm run record-histories -- v3
// Each set (test/replay/histories/<set>/) is kept: histories of runs started by older workflow code must
// go on replaying on the new code (the workers of a deployment meet them). --force overwrites a set.
// Needs a Temporal server (TEMPORAL_ADDRESS) or starts a dev server.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import { startDevServer } from '../../scripts/devServer';
import { startHarness, type Harness } from '../support/harness';
import { childInput, fleet, seedRun, simulatedWorld } from '../support/worlds';

const SET = process.argv.slice(2).find((a) => !a.startsWith('--'));
const FORCE = process.argv.includes('--force');
const OUT = path.join(__dirname, 'histories', SET ?? '');

/** The replay test needs each history's workflow id: manifest.json maps file → workflow id. */
const manifest: { file: string; workflowId: string }[] = [];

async function save(h: Harness, name: string, handle: WorkflowHandle): Promise<void> {
  const runs = [];
  for await (const wf of h.client.workflow.list({ query: `WorkflowId="${handle.workflowId}"` })) runs.push(wf);
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  for (const [i, wf] of runs.entries()) {
    const history = await h.client.workflow.getHandle(handle.workflowId, wf.runId).fetchHistory();
    const file = `${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`;
    writeFileSync(path.join(OUT, file), historyToJSON(history));
    manifest.push({ file, workflowId: handle.workflowId });
    console.log(`wrote ${file} (${history.events?.length ?? 0} events, ${wf.type})`);
  }
}

async function settle(p: Promise<unknown>): Promise<void> {
  await p.catch(() => undefined);
}

async function main(): Promise<void> {
  if (!SET || !/^[\w.-]+$/.test(SET))
    throw new Error('usage: npm run record-histories -- <set name, e.g. v3> [--force]');
  if (existsSync(OUT) && !FORCE) throw new Error(`${OUT} exists: name a new set, or --force to re-record it`);
  const server = process.env.TEMPORAL_ADDRESS ? undefined : await startDevServer();
  if (server) process.env.TEMPORAL_ADDRESS = server.address;
  const world = simulatedWorld({
    'cn-shanghai': fleet(5, (i) => ({ durationMs: 100, exitCode: i === 4 ? 1 : 0 })),
    'cn-beijing': fleet(3, () => ({ durationMs: 100, exitCode: 0 })),
    'cn-can': fleet(30, () => ({ durationMs: 80, exitCode: 0 })),
    'cn-fail': fleet(6, (i) => ({ durationMs: i === 1 ? 50 : 5000, exitCode: i === 1 ? 1 : 0 })),
    'cn-slow': fleet(4, () => ({ durationMs: 60_000, exitCode: 0 })),
  });
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const h = await startHarness({ scenario: world, taskQueue: `record-${Date.now()}` });
  const stamp = Date.now();
  try {
    // 1. The parent and its children, errors within MaxErrors.
    const parent = await h.client.workflow.start('multiAccountExecute', {
      args: [
        seedRun(['cn-shanghai', 'cn-beijing'], { rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 1 } }),
      ],
      taskQueue: h.taskQueue,
      workflowId: `replay-parent-${stamp}`,
    });
    await settle(h.run(() => parent.result()));
    await save(h, 'parent-partial-failed', parent);
    await save(h, 'child-partial-failed', h.client.workflow.getHandle(`${parent.workflowId}/654321/cn-shanghai`));

    // 2. A child that continues as new, paused and resumed on the way.
    const can = await h.client.workflow.start('bulkyRunCommand', {
      args: [
        childInput('cn-can', {
          rateControl: { Mode: 'Concurrency', Concurrency: 2, MaxErrors: 0 },
          continueAsNewAfterEvents: 120,
        }),
      ],
      taskQueue: h.taskQueue,
      workflowId: `replay-can-${stamp}`,
    });
    await new Promise((r) => setTimeout(r, 700));
    await can.signal('pause');
    await new Promise((r) => setTimeout(r, 500));
    await can.executeUpdate('setRateControl', { args: [{ Concurrency: 3 }] });
    await can.signal('resume');
    await settle(h.run(() => can.result()));
    await save(h, 'child-continue-as-new', can);

    // 3. MaxErrors exceeded with stopOnMaxErrors, Batch mode.
    const failing = await h.client.workflow.start('bulkyRunCommand', {
      args: [
        childInput('cn-fail', {
          rateControl: { Mode: 'Batch', Batch: [1, 5], MaxErrors: 0 },
          stopOnMaxErrors: true,
        }),
      ],
      taskQueue: h.taskQueue,
      workflowId: `replay-max-errors-${stamp}`,
    });
    await settle(h.run(() => failing.result()));
    await save(h, 'child-max-errors', failing);

    // 4. A cancelled parent.
    const cancelled = await h.client.workflow.start('multiAccountExecute', {
      args: [seedRun(['cn-slow'])],
      taskQueue: h.taskQueue,
      workflowId: `replay-cancel-${stamp}`,
    });
    await new Promise((r) => setTimeout(r, 2500));
    await cancelled.cancel();
    await settle(h.run(() => cancelled.result()));
    await save(h, 'parent-cancelled', cancelled);
    await save(h, 'child-cancelled', h.client.workflow.getHandle(`${cancelled.workflowId}/654321/cn-slow`));
    // 5. (v4) ResourceIds with ids the region lacks, continuing as new: the missing ids carried as a mask.
    const ids = await h.client.workflow.start('bulkyRunCommand', {
      args: [
        childInput('cn-can', {
          targets: {
            Type: 'ResourceIds',
            ResourceIds: [
              'i-gone-1',
              ...Array.from({ length: 30 }, (_, i) => `i-${String(i + 1).padStart(3, '0')}`),
              'i-gone-2',
            ],
          },
          rateControl: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: '100%' },
          continueAsNewAfterEvents: 100,
        }),
      ],
      taskQueue: h.taskQueue,
      workflowId: `replay-ids-${stamp}`,
    });
    await settle(h.run(() => ids.result()));
    await save(h, 'child-resource-ids-continue-as-new', ids);
    writeFileSync(path.join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    await h.close();
    await server?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
