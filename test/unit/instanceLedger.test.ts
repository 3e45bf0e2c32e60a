// The child's per-instance ledger: exact statuses, which records keep their detail when room runs out,
// continue-as-new round trips, and the payload sizes at the 5,000-instance limit.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  allInstances,
  decodeInvocations,
  encodeInvocations,
  MAX_INSTANCES_PER_LOCATION,
  type InstanceResult,
  type InstanceStatus,
} from '../../contract';
import { InstanceLedger, detailBytes, ledgerRoom, type LedgerState } from '../../workflows/instanceLedger';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${String(i).padStart(20, '0')}`);

function record(instanceId: string, invokeId: string, status: InstanceStatus, output = ''): InstanceResult {
  return {
    instanceId,
    invokeId,
    status,
    exitCode: status === 'Success' ? 0 : 1,
    errorCode: status === 'Success' ? '' : 'InstanceScriptFailed',
    errorInfo: '',
    output,
    outputTruncated: false,
    dropped: 0,
    startTime: '2026-12-03T00:00:00Z',
    finishedTime: '2026-12-03T00:00:02Z',
  };
}

/** Sends `all` in calls of `perCall`, then finishes each with the status the plan gives it. */
function runAll(ledger: InstanceLedger, perCall: number, statusOf: (i: number) => InstanceStatus, output = '') {
  const all = ledger.instanceIds;
  for (let i = 0; i < all.length; i += perCall) {
    const batch = all.slice(i, i + perCall);
    ledger.sending(batch);
    ledger.sent(batch, `t-${String(i).padStart(12, '0')}`);
  }
  all.forEach((id, i) => {
    const invokeId = `t-${String(i - (i % perCall)).padStart(12, '0')}`;
    assert.equal(ledger.finish(record(id, invokeId, statusOf(i), output)), true);
  });
}

test('encodeInvocations / decodeInvocations: run-length table', () => {
  const cases: [(string | null)[], [string, number][]][] = [
    [[], []],
    [[null, null], [['', 2]]],
    [
      ['t-1', 't-1', 't-2', null, 't-2'],
      [
        ['t-1', 2],
        ['t-2', 1],
        ['', 1],
        ['t-2', 1],
      ],
    ],
  ];
  for (const [perInstance, runs] of cases) {
    assert.deepEqual(encodeInvocations(perInstance), runs);
    assert.deepEqual(decodeInvocations(runs), perInstance);
  }
});

test('a small run keeps every record in full, in instance order', () => {
  const ledger = new InstanceLedger(ids(4), 100_000);
  runAll(ledger, 2, (i) => (i === 2 ? 'Failed' : 'Success'), 'hello\n');
  assert.equal(ledger.omitted, 0);
  assert.deepEqual(
    ledger.detailed().map((r) => [r.instanceId.slice(-1), r.status, r.output]),
    [
      ['0', 'Success', 'hello\n'],
      ['1', 'Success', 'hello\n'],
      ['2', 'Failed', 'hello\n'],
      ['3', 'Success', 'hello\n'],
    ],
  );
  assert.deepEqual(ledger.roster().statuses, 'SSFS');
  assert.deepEqual(ledger.roster().invocations, [
    ['t-000000000000', 2],
    ['t-000000000002', 2],
  ]);
  assert.deepEqual(ledger.counts(), { total: 4, success: 3, failed: 1, skipped: 0, cancelled: 0 });
});

test('an instance is finished once; an unknown one is a bug', () => {
  const ledger = new InstanceLedger(ids(2), 100_000);
  const [a] = ids(1);
  ledger.sending([a!]);
  ledger.sent([a!], 't-1');
  assert.equal(ledger.finish(record(a!, 't-1', 'Success')), true);
  assert.equal(ledger.finish(record(a!, 't-1', 'Failed')), false);
  assert.equal(ledger.statusOf(a!), 'Success');
  assert.throws(() => ledger.finish(record('i-nope', 't-1', 'Success')), /unknown instance i-nope/);
});

test('tally: unsent count as skipped, sent-and-not-final as running; counts() calls those cancelled', () => {
  const ledger = new InstanceLedger(ids(5), 100_000);
  const [a, b, c] = ids(3);
  ledger.sending([a!, b!, c!]);
  ledger.sent([a!, b!, c!], 't-1');
  ledger.finish(record(a!, 't-1', 'Success'));
  ledger.finish(record(b!, 't-1', 'Timeout'));
  assert.deepEqual(ledger.tally(), {
    counts: { total: 5, success: 1, failed: 1, skipped: 2, cancelled: 0 },
    running: 1,
  });
  assert.deepEqual(ledger.counts(), { total: 5, success: 1, failed: 1, skipped: 2, cancelled: 1 });
  assert.deepEqual([...ledger.running()], [['t-1', [c]]]);
  assert.equal(ledger.roster().statuses, 'STR--');
});

// Which records keep their detail when the room is small: [name, room, statuses, output, kept, outputs kept]
const roomCases: {
  name: string;
  room: (one: number) => number;
  statuses: InstanceStatus[];
  output: string;
  kept: string[];
  outputs: string[];
}[] = [
  {
    name: 'room for everything',
    room: (one) => 10 * one,
    statuses: ['Success', 'Success', 'Failed'],
    output: 'ok',
    kept: ['0', '1', '2'],
    outputs: ['ok', 'ok', 'ok'],
  },
  {
    name: 'room for two: the failure takes the place of a success',
    room: (one) => 2 * one + 5,
    statuses: ['Success', 'Success', 'Failed'],
    output: 'ok',
    kept: ['1', '2'],
    outputs: ['ok', 'ok'],
  },
  {
    name: 'room for two: successes that come later are left out',
    room: (one) => 2 * one + 5,
    statuses: ['Failed', 'Success', 'Success'],
    output: 'ok',
    kept: ['0', '1'],
    outputs: ['ok', 'ok'],
  },
  {
    name: 'room for two failures: the third is left out rather than evict a failure',
    room: (one) => 2 * one + 5,
    statuses: ['Failed', 'Timeout', 'Error'],
    output: 'ok',
    kept: ['0', '1'],
    outputs: ['ok', 'ok'],
  },
  {
    name: 'room for two failures with long outputs: outputs go so that a third failure stays',
    room: (one) => 2 * one + 5,
    statuses: ['Failed', 'Failed', 'Failed'],
    output: 'x'.repeat(200),
    kept: ['0', '1', '2'],
    outputs: ['', 'x'.repeat(200), ''],
  },
  {
    name: 'a failure that cannot fit even without outputs gives nothing up',
    room: (one) => one + 5,
    statuses: ['Success', 'Failed', 'Failed'],
    output: 'x'.repeat(20),
    kept: ['1'],
    outputs: ['x'.repeat(20)],
  },
];

test('detail room: failures before successes; never more than the room', async (t) => {
  for (const c of roomCases) {
    await t.test(c.name, () => {
      const all = ids(c.statuses.length);
      // The room the roster takes once everything is sent, plus room for details.
      const probe = new InstanceLedger(all, 1e9);
      runAll(probe, 1, () => 'Skipped');
      const roster = probe.bytes - probe.detailed().reduce((sum, r) => sum + detailBytes(r), 0);
      const one = detailBytes(record(all[0]!, 't-000000000000', 'Failed', c.output));
      const ledger = new InstanceLedger(all, roster + c.room(one));
      runAll(ledger, 1, (i) => c.statuses[i]!, c.output);
      assert.deepEqual(
        ledger.detailed().map((r) => r.instanceId.slice(-1)),
        c.kept,
      );
      assert.deepEqual(
        ledger.detailed().map((r) => r.output),
        c.outputs,
      );
      assert.equal(ledger.roster().statuses.length, c.statuses.length);
      assert.ok(ledger.bytes <= ledger['room'], `${ledger.bytes} bytes in a room of ${ledger['room']}`);
    });
  }
});

test('an output too big for the room is dropped from the record, which stays (flagged)', () => {
  const all = ids(1);
  const small = new InstanceLedger(all, 1e9);
  const room = small.bytes + 40 + detailBytes(record(all[0]!, 't-1', 'Failed')) + 10;
  const ledger = new InstanceLedger(all, room);
  ledger.sending(all);
  ledger.sent(all, 't-1');
  ledger.finish(record(all[0]!, 't-1', 'Failed', 'x'.repeat(5_000)));
  assert.deepEqual(
    ledger.detailed().map((r) => [r.status, r.output, r.outputTruncated]),
    [['Failed', '', true]],
  );
});

test('continue-as-new round trip: same roster, details and running invocations', () => {
  const all = ids(250);
  const ledger = new InstanceLedger(all, 30_000);
  for (let i = 0; i < 200; i += 50) {
    const batch = all.slice(i, i + 50);
    ledger.sending(batch);
    ledger.sent(batch, `t-${i}`);
  }
  for (let i = 0; i < 150; i++)
    ledger.finish(record(all[i]!, `t-${i - (i % 50)}`, i % 7 ? 'Success' : 'Failed', 'out'));
  const carried = JSON.parse(JSON.stringify(ledger.state())) as LedgerState;
  const restored = new InstanceLedger(all, 30_000, carried);
  assert.deepEqual(restored.roster(), ledger.roster());
  assert.deepEqual(restored.detailed(), ledger.detailed());
  assert.deepEqual([...restored.running()], [['t-150', all.slice(150, 200)]]);
  assert.deepEqual(restored.tally(), ledger.tally());
  assert.ok(ledger.omitted > 0, 'the room was small enough to leave some out');
  assert.equal(
    ledger.detailed().filter((r) => r.status === 'Failed').length,
    22,
    'every failure (0, 7, ..., 147) kept its detail',
  );
});

test('allInstances: detailed records where kept, roster rows elsewhere', () => {
  const all = ids(3);
  const ledger = new InstanceLedger(all, 1e9);
  ledger.sending(all.slice(0, 2));
  ledger.sent(all.slice(0, 2), 't-1');
  ledger.finish(record(all[0]!, 't-1', 'Success', 'hi'));
  ledger.finish(record(all[1]!, 't-1', 'Failed', 'bad'));
  const roster = ledger.roster();
  const merged = allInstances({ instances: [ledger.detailed()[1]!], roster });
  assert.deepEqual(
    merged.map((r) => [r.status, r.invokeId, r.exitCode, r.output, r.outputTruncated]),
    [
      ['Success', 't-1', null, '', true],
      ['Failed', 't-1', 1, 'bad', false],
      ['Skipped', null, null, '', false],
    ],
  );
  assert.equal(allInstances({ instances: merged, roster: null }), merged);
});

test(`${MAX_INSTANCES_PER_LOCATION} instances: the carried state and the result stay under 256 KB`, async (t) => {
  for (const perCall of [100, 1]) {
    await t.test(`${perCall} instance(s) per RunCommand`, () => {
      const room = 240 * 1024 - 2_000; // what bulkyRunCommand leaves for a ~2 KB input
      const ledger = new InstanceLedger(ids(MAX_INSTANCES_PER_LOCATION), room);
      runAll(ledger, perCall, (i) => (i % 10 === 0 ? 'Failed' : 'Success'), 'hello from the instance\n');
      const state = JSON.stringify(ledger.state());
      const result = JSON.stringify({
        instances: ledger.detailed(),
        commandOutputs: ledger.detailed().map((r) => r.output),
        roster: ledger.roster(),
      });
      for (const [name, json] of [
        ['state', state],
        ['result', result],
      ] as const) {
        const bytes = Buffer.byteLength(json);
        assert.ok(bytes <= ledger.bytes, `${name}: ${bytes} bytes, estimated ${ledger.bytes}`);
        assert.ok(bytes < 256 * 1024, `${name}: ${bytes} bytes`);
      }
      const kept = ledger.detailed();
      const failures = kept.filter((r) => r.status === 'Failed').length;
      assert.equal(ledger.counts().failed, 500);
      // Failures keep their detail first: no success has one while a failure is left out.
      assert.ok(failures > 0, 'some failures keep their detail');
      if (failures < 500) assert.equal(kept.length, failures, 'only failures are detailed');
      assert.equal(ledger.omitted, MAX_INSTANCES_PER_LOCATION - kept.length);
      assert.equal(ledger.roster().instanceIds.length, MAX_INSTANCES_PER_LOCATION);
      t.diagnostic(`${perCall}/call: ${kept.length} detailed (${failures} failures), state ${state.length} B`);
    });
  }
});

test('ledgerRoom: ResourceIds are counted once (they are the ledger ids), other inputs in full', () => {
  const budget = 240 * 1024;
  const base = { regionId: 'cn-hangzhou', commandContent: 'echo hi', commandType: 'RunShellScript' };
  const resourceIds = { ...base, targets: { Type: 'ResourceIds', ResourceIds: ids(MAX_INSTANCES_PER_LOCATION) } };
  const tags = { ...base, targets: { Type: 'Tags', Tags: [{ Key: 'env', Value: 'prod' }] } };
  const roomIds = ledgerRoom(resourceIds, budget);
  assert.equal(
    roomIds,
    budget - Buffer.byteLength(JSON.stringify({ ...base, targets: { Type: 'ResourceIds', ResourceIds: [] } })),
  );
  assert.equal(ledgerRoom(tags, budget), budget - Buffer.byteLength(JSON.stringify(tags)));
  assert.equal(ledgerRoom({ ...tags, continuation: { big: 'x'.repeat(10_000) } }, budget), ledgerRoom(tags, budget));
  // 5,000 ResourceIds with 151 failures: every failure keeps its detail.
  const ledger = new InstanceLedger(ids(MAX_INSTANCES_PER_LOCATION), roomIds);
  runAll(ledger, 100, (i) => (i % 33 === 0 ? 'Failed' : 'Success'), 'ok\n');
  assert.equal(ledger.detailed().filter((r) => r.status === 'Failed').length, 152);
});
