// Long runs with expiring STS credentials (DESIGN §5): the emulator grants 6-second tokens, the run lasts
// several lifetimes. Nothing fails, and the worker re-assumes each role chain about once per lifetime,
// shared by every location on that chain (one refresh per chain per worker, not one per call).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { MultiAccountExecuteResult } from '../../contract/results';
import { startHarness, type Harness } from '../support/harness';
import { CHAIN, fleet, MEMBER, seedRun, simulatedWorld } from '../support/worlds';

const LIFETIME_S = 6;
const OTHER = '765432';
const OTHER_CHAIN = `OOSServiceRole|${OTHER}/OOSServiceRole`;
const PER_REGION = 40;

function world() {
  const instances = () => fleet(PER_REGION, () => ({ durationMs: [1500, 2500], exitCode: 0 }));
  const w = simulatedWorld({ 'cn-e01': instances(), 'cn-e02': instances() }, { stsDurationSeconds: LIFETIME_S });
  // A second member account, reached by its own chain.
  const member = w.accounts.find((a) => a.id === MEMBER)!;
  w.accounts.push({
    id: OTHER,
    roles: structuredClone(member.roles),
    regions: { 'cn-e03': { instances: instances() } },
  });
  return w;
}

const cases = [
  // The worker asks for 6 s (it sends STS's minimum, 900 s); STS grants 6 s.
  { name: 'the worker is configured for the lifetime STS grants', stsDurationSeconds: LIFETIME_S },
  // The worker asks for the default hour; STS grants only 6 s: the refresh follows what was granted.
  { name: 'STS grants less than the worker asked for (3600 s)', stsDurationSeconds: 3600 },
];

let h: Harness | undefined;
after(async () => h?.close()); // if a test failed before closing its harness

for (const c of cases) {
  test(
    `${LIFETIME_S}-second STS tokens over a run of several lifetimes, ${c.name}: no failure, one refresh per chain per lifetime`,
    { timeout: 5 * 60_000 },
    async () => {
      h = await startHarness({ scenario: world(), cloud: { stsDurationSeconds: c.stsDurationSeconds } });
      await longRun(h);
      await h.close();
      h = undefined;
    },
  );
}

async function longRun(h: Harness): Promise<void> {
  const input = seedRun(
    ['cn-e01', 'cn-e02', 'cn-e03'],
    { rateControl: { Mode: 'Concurrency', Concurrency: 4, MaxErrors: 0 }, pollIntervalSeconds: 0.2 },
    { rateControl: { Mode: 'Concurrency', Concurrency: 3, MaxErrors: 0 } },
  );
  input.accountRoleAndRegions[2]!.OOSAssumeRole = OTHER_CHAIN;
  const result = (await h.run(() =>
    h.client.workflow.execute('multiAccountExecute', {
      args: [input],
      taskQueue: h.taskQueue,
      workflowId: `sts-expiry-${Date.now()}`,
    }),
  )) as MultiAccountExecuteResult;

  assert.equal(result.status, 'Success');
  assert.deepEqual(result.instanceCounts, { total: 120, success: 120, failed: 0, skipped: 0, cancelled: 0 });
  assert.deepEqual(
    result.locations.map((l) => [l.accountId, l.regionId, l.roleChain, l.status]),
    [
      [MEMBER, 'cn-e01', CHAIN, 'Success'],
      [MEMBER, 'cn-e02', CHAIN, 'Success'],
      [OTHER, 'cn-e03', OTHER_CHAIN, 'Success'],
    ],
  );
  const audit = h.emulator.audit();
  const executions = audit.executions.map((e) => `${e.accountId}/${e.regionId}/${e.instanceId}`);
  assert.equal(executions.length, 120);
  assert.equal(new Set(executions).size, 120, 'each instance once');

  // How long the run used the cloud, and what the worker asked of STS meanwhile. ECS calls are made as the
  // member account's role; both AssumeRole hops are made by identities of the hub account 123456.
  const ecs = audit.calls.filter((c) => c.accountId === MEMBER || c.accountId === OTHER);
  const spanS = (Math.max(...ecs.map((c) => c.time)) - Math.min(...ecs.map((c) => c.time))) / 1000;
  const issued = h.emulator.issuedCredentials();
  const sessionsIn = (account: string) =>
    issued.filter((c) => c.arn.startsWith(`acs:ram::${account}:assumed-role/`)).length;
  const chains = [
    { chain: CHAIN, refreshes: sessionsIn(MEMBER), calls: ecs.filter((c) => c.accountId === MEMBER).length },
    { chain: OTHER_CHAIN, refreshes: sessionsIn(OTHER), calls: ecs.filter((c) => c.accountId === OTHER).length },
  ];
  const errors: Record<string, number> = {};
  for (const c of audit.calls) if (c.errorCode) errors[c.errorCode] = (errors[c.errorCode] ?? 0) + 1;
  console.log(JSON.stringify({ spanS, lifetimes: spanS / LIFETIME_S, chains, errors }));

  assert.ok(spanS >= 3 * LIFETIME_S, `the run outlived several token lifetimes (${spanS} s)`);
  assert.equal(
    audit.calls.filter((c) => c.action === 'AssumeRole' && c.httpStatus !== 200).length,
    0,
    'every AssumeRole succeeded',
  );
  // Each refresh re-assumes the whole chain: the hub hop, then the member hop.
  assert.equal(sessionsIn('123456'), chains[0]!.refreshes + chains[1]!.refreshes, 'two hops per refresh');
  for (const { chain, refreshes, calls } of chains) {
    // At least one set of keys per lifetime (the run never went on with expired keys) …
    assert.ok(refreshes >= Math.floor(spanS / LIFETIME_S), `${chain}: ${refreshes} refreshes over ${spanS} s`);
    // … and about one per lifetime (a fifth of it early), never one per call.
    assert.ok(
      refreshes <= Math.ceil(spanS / (LIFETIME_S * 0.6)) + 1,
      `${chain}: ${refreshes} refreshes over ${spanS} s`,
    );
    assert.ok(calls >= 5 * refreshes, `${chain}: ${calls} cloud calls, ${refreshes} refreshes`);
  }
  // Two locations share CHAIN, one uses OTHER_CHAIN: the keys are cached per chain, not per location.
  assert.ok(chains[0]!.refreshes <= chains[1]!.refreshes + 2, JSON.stringify(chains));
  // A call signed a moment before its keys expired may be refused; it is retried with fresh keys.
  assert.ok((errors['InvalidSecurityToken.Expired'] ?? 0) <= 3, JSON.stringify(errors));
}
