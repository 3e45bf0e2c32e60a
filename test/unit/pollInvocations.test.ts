// pollInvocations against the emulator (real SDK): it keeps the poll interval, also across the calls the
// workflow makes one after another, and returns as soon as an instance is final.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CloudConfig } from '../../activities/cloudConfig';
import { pollInvocations, type PollInvocationsInput } from '../../activities/pollInvocations';
import { RoleChainCredentials } from '../../activities/roleChainCredentials';
import { runCommand } from '../../activities/runCommand';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';
import { CHAIN, fleet, simulatedWorld } from '../support/worlds';

const world = simulatedWorld({
  'cn-slow': fleet(1, () => ({ durationMs: 60_000, exitCode: 0 })),
  'cn-fast': fleet(1, () => ({ durationMs: 300, exitCode: 0, output: 'done\n' })),
});
const user = world.accounts[0]!.users![0]!;
let emu: EmulatorHandle;
let deps: { cloud: CloudConfig; credentials: RoleChainCredentials };

before(async () => {
  emu = await startEmulator({ scenario: world });
  const cloud: CloudConfig = {
    endpoint: emu.endpoint,
    protocol: 'http',
    readTimeoutMs: 5000,
    connectTimeoutMs: 5000,
    stsDurationSeconds: 3600,
    roleSessionName: 'unit-test',
  };
  const base = () => Promise.resolve({ accessKeyId: user.accessKeyId, accessKeySecret: user.accessKeySecret });
  deps = { cloud, credentials: new RoleChainCredentials(base, cloud) };
});
after(async () => emu?.close());

async function start(regionId: string): Promise<PollInvocationsInput['invocations']> {
  const { invokeId } = await runCommand(deps, {
    roleChain: CHAIN,
    regionId,
    instanceIds: ['i-001'],
    command: {
      commandType: 'RunShellScript',
      commandContent: 'echo done',
      workingDir: '',
      username: '',
      windowsPasswordName: '',
      timeout: 600,
      enableParameter: false,
      parameters: {},
    },
    dispatch: { workflowId: `poll-${regionId}-${Date.now()}`, firstRunId: 'run', sequence: 0 },
  });
  return [{ invokeId, instanceIds: ['i-001'] }];
}

const pollTimes = (invokeId: string) =>
  emu
    .audit()
    .calls.filter((c) => c.action === 'DescribeInvocations' && c.params?.InvokeId === invokeId)
    .map((c) => c.time);

test('an interval as long as maxWait: consecutive calls still poll one interval apart, never in a tight loop', async () => {
  const invocations = await start('cn-slow');
  const input = { roleChain: CHAIN, regionId: 'cn-slow', invocations, outputMaxBytes: 2048 };
  const t0 = Date.now();
  for (let call = 0; call < 3; call++) {
    const r = await pollInvocations(deps, { ...input, pollIntervalMs: 600, maxWaitMs: 600 });
    assert.deepEqual(r.finished, []);
  }
  const times = pollTimes(invocations[0]!.invokeId);
  assert.equal(times.length, 3, 'one poll per call');
  for (let i = 1; i < times.length; i++)
    assert.ok(times[i]! - times[i - 1]! >= 550, `gap ${times[i]! - times[i - 1]!} ms`);
  assert.ok(Date.now() - t0 >= 1700);
});

test('a short interval: polls each interval and returns empty after about maxWait', async () => {
  const invocations = await start('cn-slow');
  const t0 = Date.now();
  const r = await pollInvocations(deps, {
    roleChain: CHAIN,
    regionId: 'cn-slow',
    invocations,
    pollIntervalMs: 200,
    maxWaitMs: 1000,
    outputMaxBytes: 2048,
  });
  const took = Date.now() - t0;
  assert.deepEqual(r.finished, []);
  assert.ok(took >= 1000 && took < 1600, `returned after ${took} ms`);
  const n = pollTimes(invocations[0]!.invokeId).length;
  assert.ok(n >= 4 && n <= 6, `${n} polls`);
});

test('returns as soon as an instance is final', async () => {
  const invocations = await start('cn-fast');
  const t0 = Date.now();
  const r = await pollInvocations(deps, {
    roleChain: CHAIN,
    regionId: 'cn-fast',
    invocations,
    pollIntervalMs: 100,
    maxWaitMs: 30_000,
    outputMaxBytes: 2048,
  });
  assert.deepEqual(
    r.finished.map((f) => [f.instanceId, f.status, f.exitCode, f.output]),
    [['i-001', 'Success', 0, 'done\n']],
  );
  assert.equal(r.shortestSeenMs, undefined, 'no send time given, none measured');
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});

test('an invocation of known age is polled on the age ramp: a 300 ms command is seen long before a 2 s interval', async () => {
  const invocations = await start('cn-fast');
  const r = await pollInvocations(deps, {
    roleChain: CHAIN,
    regionId: 'cn-fast',
    invocations: invocations.map((i) => ({ ...i, sentAtMs: Date.now() })),
    pollIntervalMs: 2000,
    maxWaitMs: 30_000,
    outputMaxBytes: 2048,
  });
  assert.deepEqual(
    r.finished.map((f) => [f.instanceId, f.status]),
    [['i-001', 'Success']],
  );
  // Sent (about) when the poll started; the 300 ms command was seen ended within ~150 ms of its end.
  assert.ok(r.shortestSeenMs! >= 280 && r.shortestSeenMs! < 1000, `seen after ${r.shortestSeenMs} ms`);
  const times = pollTimes(invocations[0]!.invokeId);
  // 100 ms apart (the floor) while young: 3 to 6 polls for 300 ms, none closer than the floor.
  assert.ok(times.length >= 3 && times.length <= 6, `${times.length} polls`);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 90, `gap ${times[i]! - times[i - 1]!}`);
});

test('with an expected duration, nothing is polled before 80% of it after the first poll', async () => {
  const invocations = await start('cn-fast');
  await pollInvocations(deps, {
    roleChain: CHAIN,
    regionId: 'cn-fast',
    invocations: invocations.map((i) => ({ ...i, sentAtMs: Date.now() })),
    pollIntervalMs: 2000,
    expectedDurationMs: 1000,
    maxWaitMs: 30_000,
    outputMaxBytes: 2048,
  });
  const times = pollTimes(invocations[0]!.invokeId);
  // The first poll at once, the next at ~800 ms (by then the 300 ms command has ended).
  assert.equal(times.length, 2, `${times.length} polls`);
  assert.ok(times[1]! - times[0]! >= 750, `gap ${times[1]! - times[0]!}`);
});
