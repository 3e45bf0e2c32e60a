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

test('ResourceIds with missing ids: the missing ones are carried across runs (as a mask), each counted once', async () => {
  h.emulator.resetAudit();
  const workflowId = `can-ids-${Date.now()}`;
  const existing = Array.from({ length: 30 }, (_, i) => `i-${String(60 - i).padStart(3, '0')}`); // i-060 … i-031
  const gone = ['i-gone-b', 'i-gone-a', 'i-gone-c'];
  const handle = await h.client.workflow.start('bulkyRunCommand', {
    args: [
      childInput(REGION, {
        targets: { Type: 'ResourceIds', ResourceIds: [gone[0]!, ...existing, gone[1]!, gone[2]!] },
        rateControl: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: '100%' },
        continueAsNewAfterEvents: 100,
      }),
    ],
    taskQueue: h.taskQueue,
    workflowId,
  });
  const result = (await h.run(() => handle.result())) as BulkyRunCommandResult;
  assert.equal(result.status, 'PartialFailed');
  // i-040, i-050, i-060 exit 1; the three missing ids are Invalid, in the order the input lists them.
  assert.deepEqual(result.counts, { total: 33, success: 27, failed: 6, skipped: 0, cancelled: 0 });
  assert.deepEqual(
    result.instances.filter((i) => i.status !== 'Success').map((i) => [i.instanceId, i.status, i.errorCode]),
    [
      ['i-040', 'Failed', 'ExitCodeNonzero'],
      ['i-050', 'Failed', 'ExitCodeNonzero'],
      ['i-060', 'Failed', 'ExitCodeNonzero'],
      ['i-gone-b', 'Invalid', 'InstanceNotExists'],
      ['i-gone-a', 'Invalid', 'InstanceNotExists'],
      ['i-gone-c', 'Invalid', 'InstanceNotExists'],
    ],
  );
  const executions = h.emulator.audit().executions.filter((e) => existing.includes(e.instanceId));
  assert.equal(executions.length, 30, 'each existing instance ran once');
  let runs = 0;
  for await (const _ of h.client.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs++;
  assert.ok(runs >= 2, `continued as new (${runs} runs)`);
});
