// The CLI as a user runs it (`npm run cli -- ...`, a separate process) against a real server, worker and
// the seed world: exact exit codes and the lines it prints, for a run, its report, one location's
// report, and the commands that must refuse (an ended run, an id running another input).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import seedInput from '../../examples/seed-input.json';
import { loadScenario } from '../../emulator/scenario';
import { startHarness, temporalAddress, type Harness } from '../support/harness';

let h: Harness;
const dir = mkdtempSync(path.join(tmpdir(), 'fleet-run-cli-'));
before(async () => {
  h = await startHarness({ scenario: loadScenario('examples/seed-world.json') });
});
after(async () => h?.close());

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'client/cli.ts', ...args],
      {
        env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_TASK_QUEUE: h.taskQueue },
        timeout: 120_000,
      },
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
