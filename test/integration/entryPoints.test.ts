// The three ways users start a run: the Temporal CLI (the real binary), another service's workflow on
// another task queue, and bad input, which must fail at once without touching the cloud.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import seedInput from '../../examples/seed-input.json';
import { loadScenario } from '../../emulator/scenario';
import type { MultiAccountExecuteResult } from '../../contract/results';
import { resolveTemporalCli } from '../../scripts/devServer';
import { startHarness, temporalAddress, type Harness } from '../support/harness';
import { childInput } from '../support/worlds';

const run = promisify(execFile);
let h: Harness;
before(async () => {
  h = await startHarness({ scenario: loadScenario('examples/seed-world.json') });
});
after(async () => h?.close());

test('temporal workflow start --type multiAccountExecute --input-file examples/seed-input.json', async () => {
  const workflowId = `cli-start-${Date.now()}`;
  const cli = resolveTemporalCli();
  const { stdout } = await run(cli, [
    'workflow',
    'start',
    '--type',
    'multiAccountExecute',
    '--task-queue',
    h.taskQueue,
    '--workflow-id',
    workflowId,
    '--input-file',
    'examples/seed-input.json',
    '--address',
    temporalAddress(),
  ]);
  assert.match(stdout, new RegExp(workflowId));
  const result = (await h.run(() => h.client.workflow.getHandle(workflowId).result())) as MultiAccountExecuteResult;
  assert.equal(result.status, 'Success');
  assert.deepEqual(result.instanceCounts, { total: 4, success: 4, failed: 0, skipped: 0, cancelled: 0 });
});

test("another service's workflow starts multiAccountExecute as a child by type name, across task queues", async () => {
  const otherQueue = `${h.taskQueue}-other-service`;
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  try {
    const otherWorker = await Worker.create({
      connection,
      taskQueue: otherQueue,
      workflowsPath: require.resolve('../fixtures/otherService/workflows'),
    });
    const workflowId = `other-service-${Date.now()}`;
    const result: unknown = await otherWorker.runUntil(
      h.run(() =>
        h.client.workflow.execute('nightlyPatch', {
          taskQueue: otherQueue,
          workflowId,
          args: [{ fleetTaskQueue: h.taskQueue, runInput: seedInput }],
        }),
      ),
    );
    assert.deepEqual(result, { fleetStatus: 'Success', instances: 4 });
  } finally {
    await connection.close();
  }
});

test('a templateName no worker runs (a typo) fails its locations at once, saying so, with no cloud call', async () => {
  h.emulator.resetAudit();
  const started = Date.now();
  const workflowId = `typo-${Date.now()}`;
  const err = await h.run(() =>
    h.client.workflow
      .execute('multiAccountExecute', {
        args: [{ ...seedInput, templateName: 'bulkyRunComand' }],
        taskQueue: h.taskQueue,
        workflowId,
      })
      .then(
        () => assert.fail('the run should have failed'),
        (e: unknown) => e,
      ),
  );
  assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
  assert.equal(err.cause.type, 'MaxErrorsExceeded');
  const result = err.cause.details![0] as MultiAccountExecuteResult;
  const [first] = result.locations;
  assert.equal(first!.status, 'Failed');
  assert.equal(
    first!.error,
    `no workflow type "bulkyRunComand" on task queue ${h.taskQueue}: this worker runs multiAccountExecute and bulkyRunCommand. Check templateName, or set templateTaskQueue to the task queue of the service whose workflow it names`,
  );
  assert.ok(Date.now() - started < 15_000, 'fails at once');
  assert.deepEqual(h.emulator.audit().calls, []);
});

test('bulkyRunCommand started directly with a continuation fails as InvalidInput, with no cloud call', async () => {
  h.emulator.resetAudit();
  const err = await h.run(() =>
    h.client.workflow
      .execute('bulkyRunCommand', {
        args: [
          {
            ...childInput('cn-shanghai'),
            continuation: {
              accountId: '654321',
              missing: [],
              next: 0,
              sequence: 0,
              window: { total: 1, rateControl: { Mode: 'Concurrency' } },
              stopSent: false,
            },
          },
        ],
        taskQueue: h.taskQueue,
        workflowId: `injected-continuation-${Date.now()}`,
      })
      .then(
        () => assert.fail('the run should have failed'),
        (e: unknown) => e,
      ),
  );
  assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
  assert.deepEqual(
    [err.cause.type, err.cause.nonRetryable, err.cause.message],
    ['InvalidInput', true, 'continuation: internal state written by continue-as-new; do not set it'],
  );
  assert.deepEqual(h.emulator.audit().calls, []);
});

describe('bad input fails at once, non-retryable, naming the field, with no cloud call', () => {
  const withParams = (p: Record<string, unknown>) => ({
    ...seedInput,
    templateParameters: { ...seedInput.templateParameters, ...p },
  });
  const cases: { name: string; input: unknown; field: string }[] = [
    {
      name: 'missing RegionId',
      input: { ...seedInput, accountRoleAndRegions: [{ OOSAssumeRole: 'OOSServiceRole|654321/OOSServiceRole' }] },
      field: 'accountRoleAndRegions[0].RegionId',
    },
    {
      name: 'malformed role chain',
      input: {
        ...seedInput,
        accountRoleAndRegions: [{ OOSAssumeRole: 'OOSServiceRole|abc/Role', RegionId: 'cn-shanghai' }],
      },
      field: 'accountRoleAndRegions[0].OOSAssumeRole',
    },
    {
      name: 'Concurrency "abc"',
      input: withParams({ rateControl: { Mode: 'Concurrency', Concurrency: 'abc', MaxErrors: 0 } }),
      field: 'templateParameters.rateControl.Concurrency',
    },
    {
      name: 'unknown commandType',
      input: withParams({ commandType: 'RunCobolScript' }),
      field: 'templateParameters.commandType',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      h.emulator.resetAudit();
      const started = Date.now();
      const err = await h.run(() =>
        h.client.workflow
          .execute('multiAccountExecute', { args: [c.input], taskQueue: h.taskQueue, workflowId: `bad-${Date.now()}` })
          .then(
            () => assert.fail('the run should have failed'),
            (e: unknown) => e,
          ),
      );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      const cause = err.cause;
      assert.ok(cause instanceof ApplicationFailure);
      assert.equal(cause.type, 'InvalidInput');
      assert.equal(cause.nonRetryable, true);
      assert.ok(cause.message.includes(c.field), `${cause.message} should name ${c.field}`);
      assert.ok(Date.now() - started < 10_000, 'fails at once');
      assert.deepEqual(h.emulator.audit().calls, [], 'no cloud call');
    });
  }
});
