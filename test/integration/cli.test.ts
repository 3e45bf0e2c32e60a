// The CLI as a user runs it (`npm run cli -- ...`, a separate process) against a real server, worker and
// the seed world: exact exit codes and the lines it prints, for a run, its report, one location's
// report, and the commands that must refuse (an ended run, an id running another input).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import seedInput from '../../examples/seed-input.json';
import { loadScenario } from '../../emulator/scenario';
import { startHarness, temporalAddress, type Harness } from '../support/harness';
import { killAllProcesses, workflowBundleFile, WorkerProcess } from '../support/processes';
import { keyId } from '../../worker/encryptionCodec';

let h: Harness;
const dir = mkdtempSync(path.join(tmpdir(), 'fleet-run-cli-'));
before(async () => {
  h = await startHarness({ scenario: loadScenario('examples/seed-world.json') });
});
after(async () => {
  await killAllProcesses();
  await h?.close();
});

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<CliRun> {
  return cliWith({}, ...args);
}

/** The CLI's environment: the harness's server and queue, no codec key, then `env` (undefined removes). */
function cliEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    FLEET_RUN_CODEC_KEY: undefined,
    ...env,
  };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return merged;
}

function cliWith(env: Record<string, string | undefined>, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'client/cli.ts', ...args],
      { env: cliEnv(env), timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function inputFile(name: string, input: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(input));
  return file;
}

test('run, result (whole run, one location, JSON), then pause and cancel an ended run', async () => {
  const id = `cli-run-${Date.now()}`;
  const ran = await h.run(() =>
    cli('run', '--input', 'examples/seed-input.json', '--workflow-id', id, '--no-progress'),
  );
  assert.equal(ran.code, 0, ran.stderr);
  const lines = (text: string) => text.split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
  for (const expected of [
    `run ${id}: Success`,
    'instances: 4 total, 4 success, 0 failed, 0 skipped, 0 cancelled',
    'account 654321 region cn-shanghai Success (2 total, 2 success, 0 failed, 0 skipped, 0 cancelled)',
    'i-sh-web-1 Success exit 0 hello',
    'i-sh-web-2 Success exit 0 hello',
    'i-bj-web-1 Success exit 0 hello',
  ]) {
    assert.ok(lines(ran.stdout).includes(expected), `run prints "${expected}":\n${ran.stdout}`);
  }

  const again = await cli('result', id);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(lines(again.stdout), lines(ran.stdout), 'result prints what run printed');

  const one = await cli('result', `${id}/654321/cn-shanghai`);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(lines(one.stdout), [
    `run ${id}/654321/cn-shanghai: Success`,
    '',
    'account 654321 region cn-shanghai Success (2 total, 2 success, 0 failed, 0 skipped, 0 cancelled)',
    'i-sh-web-1 Success exit 0 hello',
    'i-sh-web-2 Success exit 0 hello',
    '',
  ]);

  const json = await cli('result', '--json', id);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as {
    locations: { child: { instances: { instanceId: string; output: string }[]; instancesOmitted: number } }[];
  };
  assert.deepEqual(
    parsed.locations.map((l) => [l.child.instancesOmitted, l.child.instances.map((i) => [i.instanceId, i.output])]),
    [
      [
        0,
        [
          ['i-sh-web-1', 'hello\n'],
          ['i-sh-web-2', 'hello\n'],
        ],
      ],
      [
        0,
        [
          ['i-bj-db-1', 'hello\n'],
          ['i-bj-web-1', 'hello\n'],
        ],
      ],
    ],
  );

  for (const verb of ['cancel', 'pause', 'resume']) {
    const refused = await cli(verb, id);
    assert.equal(refused.code, 2, `${verb} on an ended run is a usage error`);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, new RegExp(`run ${id} has already ended \\(COMPLETED\\): nothing to ${verb}`));
  }
  const unknown = await cli('cancel', `${id}-nope`);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no such run/);
});

test('start twice attaches to the same input; another input under a running id is refused', async () => {
  const id = `cli-start-${Date.now()}`;
  h.emulator.resetAudit();
  // FirstBatchPause: the run waits for `resume` after its first location, so it is still running below.
  const waiting = inputFile('waiting.json', {
    ...seedInput,
    rateControl: { Mode: 'Batch', Batch: [1, 1], BatchPauseOption: 'FirstBatchPause', MaxErrors: 0 },
  });
  const other = inputFile('other.json', { ...seedInput, accountRoleAndRegions: [seedInput.accountRoleAndRegions[0]] });

  const first = await cli('start', '--input', waiting, '--workflow-id', id);
  assert.deepEqual([first.code, first.stdout.trim()], [0, `started ${id}`], first.stderr);
  const second = await cli('start', '--input', waiting, '--workflow-id', id);
  assert.deepEqual([second.code, second.stdout.trim()], [0, `already running (same input): attached to ${id}`]);
  const conflict = await cli('start', '--input', other, '--workflow-id', id);
  assert.equal(conflict.code, 2);
  assert.match(conflict.stderr, new RegExp(`run ${id} is already running with a different input`));

  const cancelled = await cli('cancel', id);
  assert.deepEqual(
    [cancelled.code, cancelled.stdout.trim()],
    [0, `${id}: cancel requested: running invocations are stopped`],
  );
  const result = await h.run(() => cli('result', id));
  assert.equal(result.code, 5, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`run ${id}: Cancelled`));
  // One location ran before the pause; the other never started.
  assert.equal(h.emulator.audit().executions.filter((e) => e.instanceId.startsWith('i-bj-')).length, 0);
});

const PROBLEM =
  '  rateControl.Concurrency: got -1; allowed: Concurrency: an integer from 1 to 1000000 or a percentage above "0%" up to "100%"';
const WORKER_HINT = "a worker of the run's task queue must be running";

test('a run that failed on its input: result and status print the problems (exit 2); set-rate-control says it ended', async () => {
  const id = `cli-invalid-${Date.now()}`;
  // As `temporal workflow start` can: an input the CLI itself would refuse.
  await h.client.workflow.start('multiAccountExecute', {
    args: [{ ...seedInput, rateControl: { Mode: 'Concurrency', Concurrency: -1, MaxErrors: 0 } }],
    taskQueue: h.taskQueue,
    workflowId: id,
  });
  const result = await h.run(() => cli('result', id));
  assert.deepEqual([result.code, result.stderr], [2, '']);
  assert.deepEqual(result.stdout.split('\n'), [`run ${id}: InvalidInput`, '  invalid input:', PROBLEM, '']);

  const status = await cli('status', id);
  assert.deepEqual([status.code, status.stderr], [2, '']);
  assert.deepEqual(status.stdout.split('\n'), [`${id}: ended (FAILED): InvalidInput`, '  invalid input:', PROBLEM, '']);

  const rate = await cli('set-rate-control', id, '--concurrency', '2');
  assert.deepEqual(
    [rate.code, rate.stdout, rate.stderr],
    [2, '', `error: run ${id} has already ended (FAILED): nothing to change\n`],
  );
});

test('an input over 2,000,000 bytes of JSON is refused before anything starts (exit 2)', async () => {
  const big = { ...seedInput, templateParameters: { ...seedInput.templateParameters, padding: 'x'.repeat(2_000_000) } };
  const file = inputFile('big.json', big);
  const bytes = Buffer.byteLength(JSON.stringify(big), 'utf8');
  for (const verb of ['run', 'start']) {
    const refused = await cli(verb, '--input', file, '--workflow-id', `cli-big-${Date.now()}`);
    assert.deepEqual(
      [refused.code, refused.stdout, refused.stderr],
      [
        2,
        '',
        `error: ${file}: invalid input:\n(input): got ${bytes} bytes of JSON (UTF-8); allowed: at most 2000000 bytes, Temporal's limit for a workflow input\n`,
      ],
      verb,
    );
  }
});

test('status shows the real cause of an error, the worker hint only when no worker answers', async () => {
  const unreachable = await cliWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, 'status', 'any-id');
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^error: cannot reach Temporal at 127\.0\.0\.1:1 /);
  assert.doesNotMatch(unreachable.stderr, new RegExp(WORKER_HINT));

  const namespace = await cliWith({ TEMPORAL_NAMESPACE: 'no-such-namespace' }, 'status', 'any-id');
  assert.equal(namespace.code, 1);
  assert.match(namespace.stderr, /no-such-namespace/);
  assert.doesNotMatch(namespace.stderr, new RegExp(WORKER_HINT));

  // A run on a queue no worker polls: the query cannot be answered, and status says why.
  const id = `cli-noworker-${Date.now()}`;
  const queue = `${h.taskQueue}-nobody`;
  await h.client.workflow.start('multiAccountExecute', { args: [seedInput], taskQueue: queue, workflowId: id });
  try {
    const status = await cli('status', id);
    assert.equal(status.code, 1);
    assert.equal(status.stdout, '');
    assert.equal(
      status.stderr,
      `error: cannot read the progress of ${id}: Failed to query Workflow (4 DEADLINE_EXCEEDED: query timed out before a worker could process it); ${WORKER_HINT} to answer the query\n`,
    );
  } finally {
    await h.client.workflow.getHandle(id).terminate('test done');
  }
});

test('run with no worker on the task queue says so once on stderr and keeps waiting', async () => {
  const id = `cli-waiting-${Date.now()}`;
  const queue = `${h.taskQueue}-idle`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'client/cli.ts', 'run', '--input', 'examples/seed-input.json', '--workflow-id', id],
    { env: cliEnv({ TEMPORAL_TASK_QUEUE: queue }) },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  try {
    const hint = /no worker has answered for \d+s on task queue (\S+): is a worker running \(npm run worker\)\?/;
    const deadline = Date.now() + 60_000;
    while (!hint.test(stderr) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(stderr, hint);
    assert.equal(hint.exec(stderr)![1], queue);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(child.exitCode, null, 'still waiting for the run');
    assert.equal(stderr.match(/no worker has answered/g)!.length, 1, 'said once');
  } finally {
    child.kill('SIGKILL');
    await h.client.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  }
});

test('payloads encrypted with a key the CLI lacks: a decoding error (exit 1), not a failed run', async () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const otherKey = Buffer.alloc(32, 9).toString('base64');
  const queue = `${h.taskQueue}-codec`;
  const user = loadScenario('examples/seed-world.json').accounts.flatMap((a) => a.users ?? [])[0]!;
  const worker = await WorkerProcess.start({
    address: temporalAddress(),
    taskQueue: queue,
    endpoint: h.emulator.url,
    accessKeyId: user.accessKeyId,
    accessKeySecret: user.accessKeySecret,
    bundlePath: await workflowBundleFile({ encrypted: true }),
    env: { FLEET_RUN_CODEC_KEY: key },
  });
  try {
    const id = `cli-codec-${Date.now()}`;
    const withKey = { TEMPORAL_TASK_QUEUE: queue, FLEET_RUN_CODEC_KEY: key };
    const ran = await cliWith(
      withKey,
      'run',
      '--input',
      'examples/seed-input.json',
      '--workflow-id',
      id,
      '--no-progress',
    );
    assert.equal(ran.code, 0, ran.stderr);

    const decodeError =
      "error: cannot decode the run's payloads (binary/encrypted): set FLEET_RUN_CODEC_KEY to the worker's key\n";
    for (const verb of ['result', 'status']) {
      const keyless = await cliWith({ TEMPORAL_TASK_QUEUE: queue }, verb, id);
      assert.deepEqual([keyless.code, keyless.stdout, keyless.stderr], [1, '', decodeError], verb);
    }
    const wrong = await cliWith({ TEMPORAL_TASK_QUEUE: queue, FLEET_RUN_CODEC_KEY: otherKey }, 'result', id);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      new RegExp(
        `^error: cannot decode the run's payloads: payload encrypted with key ${keyId(Buffer.from(key, 'base64'))}, which this process does not have`,
      ),
    );
    assert.doesNotMatch(wrong.stderr + wrong.stdout, new RegExp(WORKER_HINT));
    const status = await cliWith(withKey, 'status', id);
    assert.deepEqual([status.code, status.stdout.split('\n')[0]], [0, `${id}: ended (COMPLETED): Success`]);
  } finally {
    await worker.stop(10_000);
  }
});
