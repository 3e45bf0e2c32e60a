// Long runs continue-as-new and carry their state: nothing is lost or run twice across runs, and each
// run's history stays short.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BulkyRunCommandResult } from '../../contract/results';
import { progressQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/harness';
import { childInput, fleet, simulatedWorld } from '../support/worlds';

const REGION = 'cn-can';
let h: Harness;
before(async () => {
  h = await startHarness({
    scenario: simulatedWorld({
      [REGION]: fleet(60, (i) => ({ durationMs: 60 + (i % 7) * 20, exitCode: i % 10 === 0 ? 1 : 0 })),
    }),
  });
});
after(async () => h?.close());

test('a child continues as new every ~100 events and ends with every instance exactly once', async () => {
  const workflowId = `can-${Date.now()}`;
  const handle = await h.client.workflow.start('bulkyRunCommand', {
    args: [
      childInput(REGION, {
        rateControl: { Mode: 'Concurrency', Concurrency: 4, MaxErrors: '100%' },
        continueAsNewAfterEvents: 100,
      }),
    ],
    taskQueue: h.taskQueue,
    workflowId,
  });
  // pause and resume across runs: the paused state is carried too
  await new Promise((r) => setTimeout(r, 1500));
  await handle.signal('pause');
  // A query answers from the state the workflow has processed so far: wait for the signal to land.
  const deadline = Date.now() + 10_000;
  while (!(await handle.query(progressQuery)).rateControl.paused) {
    assert.ok(Date.now() < deadline, 'the pause is seen by the progress query');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 800));
  await handle.signal('resume');

  const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;
  assert.equal(result.status, 'PartialFailed');
  assert.deepEqual(result.counts, { total: 60, success: 54, failed: 6, skipped: 0, cancelled: 0 });
  assert.deepEqual(
    result.instances.filter((i) => i.status === 'Failed').map((i) => i.instanceId),
    ['i-010', 'i-020', 'i-030', 'i-040', 'i-050', 'i-060'],
  );
  for (const i of result.instances) assert.ok(i.invokeId?.startsWith('t-'), `${i.instanceId} has its invocation`);

  const executions = h.emulator.audit().executions.filter((e) => e.regionId === REGION);
  assert.equal(executions.length, 60);
  assert.equal(new Set(executions.map((e) => e.instanceId)).size, 60, 'each instance exactly once');

  const runs: number[] = [];
  for await (const wf of h.client.workflow.list({ query: `WorkflowId="${workflowId}"` })) {
    runs.push((await h.client.workflow.getHandle(workflowId, wf.runId).fetchHistory()).events!.length);
  }
  // How many runs depends on how finishes batch into polls; at least one continue-as-new is certain.
  assert.ok(runs.length >= 2, `continued as new (${runs.length} runs)`);
  for (const length of runs) assert.ok(length < 250, `each run's history is short (${length} events)`);
});
