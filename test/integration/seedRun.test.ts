// The walking skeleton end to end: the seed's input on the seed's world, through a real Temporal server,
// a real worker, the real Alibaba SDK clients and the emulator (exec mode: `echo hello` really runs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import seedInput from '../../examples/seed-input.json';
import { loadScenario } from '../../emulator/scenario';
import type { MultiAccountExecuteResult } from '../../contract/results';
import { fetchLocationReports } from '../../client/report';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
before(async () => {
  h = await startHarness({ scenario: loadScenario('examples/seed-world.json') });
});
after(async () => h?.close());

test('the seed input says hello from every running instance in both regions of account 654321', async () => {
  const workflowId = `seed-${Date.now()}`;
  const result = (await h.run(() =>
    h.client.workflow.execute('multiAccountExecute', { args: [seedInput], taskQueue: h.taskQueue, workflowId }),
  )) as MultiAccountExecuteResult;

  assert.equal(result.status, 'Success');
  assert.deepEqual(result.counts, { total: 2, success: 2, failed: 0, skipped: 0, cancelled: 0 });
  assert.deepEqual(result.instanceCounts, { total: 4, success: 4, failed: 0, skipped: 0, cancelled: 0 });
  assert.deepEqual(
    result.locations.map((l) => [l.accountId, l.regionId, l.status, l.workflowId, l.roleChain]),
    [
      ['654321', 'cn-shanghai', 'Success', `${workflowId}/654321/cn-shanghai`, 'OOSServiceRole|654321/OOSServiceRole'],
      ['654321', 'cn-beijing', 'Success', `${workflowId}/654321/cn-beijing`, 'OOSServiceRole|654321/OOSServiceRole'],
    ],
  );

  // The parent keeps counts; the report reads each child's full result (its `result` query).
  const [shanghaiReport] = await fetchLocationReports(h.client, result);
  assert.equal(shanghaiReport?.unavailable, undefined);
  const shanghai = shanghaiReport!.child!;
  assert.equal(shanghai.instancesOmitted, 0);
  assert.deepEqual(
    shanghai.instances.map((i) => [i.instanceId, i.status, i.exitCode, i.output]),
    [
      ['i-sh-web-1', 'Success', 0, 'hello\n'],
      ['i-sh-web-2', 'Success', 0, 'hello\n'],
    ],
  );
  assert.deepEqual(shanghai.commandOutputs, ['hello\n', 'hello\n']);

  // Exactly once: each running instance executed one time, the stopped one never.
  const executions = h.emulator
    .audit()
    .executions.map((e) => e.instanceId)
    .sort();
  assert.deepEqual(executions, ['i-bj-db-1', 'i-bj-web-1', 'i-sh-web-1', 'i-sh-web-2']);
  // One RunCommand per location: both instances of a region share a call.
  const runCalls = h.emulator.audit().calls.filter((c) => c.action === 'RunCommand' && c.httpStatus === 200);
  assert.equal(runCalls.length, 2);
});
