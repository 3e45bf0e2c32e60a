// The emulator's fault injection and the rest of its surface beyond the basics, through the REAL SDK clients:
// throttling per API and account, per-action 5xx/reset rates, instances stopped / released / agents lost or
// flapping at runtime (admin endpoint, setInstance, faults.instanceEvents), root accounts, trust principals,
// RunCommand parameter limits, both paging styles on every Describe API, and the status aggregation rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Ecs from '@alicloud/ecs20140526';
import * as $Ecs from '@alicloud/ecs20140526';
import * as $Sts from '@alicloud/sts20150401';
import type { Scenario } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';
import { aggregateLegacyStatus, aggregateStatus, legacyInstanceStatus } from '../../emulator/status';
import { assumeChain, ecsClient, stsClient, waitFor, type Creds } from '../../emulator/testkit';
import type { InstanceInvocationStatus } from '../../emulator/model';

const A = '654321';
const B = '765432';
const OPS_A: Creds = { accessKeyId: 'LTAI-ops-a', accessKeySecret: 'secret-a' };
const OPS_B: Creds = { accessKeyId: 'LTAI-ops-b', accessKeySecret: 'secret-b' };
const ROOT_A: Creds = { accessKeyId: 'LTAI-root-a', accessKeySecret: 'root-secret-a' };
const HUB_USER: Creds = { accessKeyId: 'LTAI-hub', accessKeySecret: 'secret-hub' };
const REGION = 'cn-hangzhou';

const running = (id: string, extra: Record<string, unknown> = {}) => ({ id, status: 'Running' as const, ...extra });

const scenario: Scenario = {
  execution: 'exec',
  accounts: [
    {
      id: '123456',
      users: [{ name: 'hub', ...HUB_USER, policies: ['AliyunSTSAssumeRoleAccess'] }],
      roles: [
        {
          name: 'Hub',
          trustPolicy: {
            Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::123456:root'] } }],
            Version: '1',
          },
          policies: ['AliyunSTSAssumeRoleAccess'],
        },
        {
          name: 'Other',
          trustPolicy: {
            Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::123456:root'] } }],
            Version: '1',
          },
          policies: ['AliyunSTSAssumeRoleAccess'],
        },
      ],
    },
    {
      id: A,
      rootKeys: [ROOT_A],
      users: [{ name: 'ops', ...OPS_A, policies: ['AliyunECSFullAccess'] }],
      roles: [
        {
          // Trusts exactly one role of the hub account (a role ARN principal), not the whole account.
          name: 'FromHubRole',
          trustPolicy: {
            Statement: [
              { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::123456:role/Hub'] } },
            ],
            Version: '1',
          },
          policies: ['AliyunECSReadOnlyAccess'],
        },
      ],
      regions: {
        [REGION]: {
          instances: [
            running('i-run-1'),
            running('i-run-2'),
            running('i-stop-mid'),
            running('i-release-mid'),
            running('i-agent-mid'),
            running('i-event-stop'),
            running('i-event-release'),
            running('i-event-agent'),
            running('i-pending-release'),
            running('i-flap', { agent: 'flapping' }),
            running('i-flap-2', { agent: 'flapping' }),
            running('i-gone'),
          ],
          generate: [{ count: 23, idPrefix: 'i-page-' }],
        },
      },
    },
    {
      id: B,
      users: [{ name: 'ops', ...OPS_B, policies: ['AliyunECSFullAccess'] }],
      regions: { [REGION]: { instances: [running('i-b-1')] } },
    },
  ],
};

type SdkError = Error & { code?: string; statusCode?: number; data?: Record<string, unknown> };
async function rejects(p: Promise<unknown>, code: string, status: number): Promise<SdkError> {
  const e = (await p.then(
    () => assert.fail(`expected ${code}`),
    (x: unknown) => x,
  )) as SdkError;
  assert.equal(e.code, code, e.message);
  assert.equal(e.statusCode, status, e.message);
  return e;
}

let emu: EmulatorHandle;
let a: Ecs;
let b: Ecs;
before(async () => {
  emu = await startEmulator({ scenario, port: 0 });
  a = ecsClient(emu, OPS_A);
  b = ecsClient(emu, OPS_B);
});
after(async () => emu.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const describeInstances = (c: Ecs, req: Partial<$Ecs.DescribeInstancesRequest> = {}) =>
  c.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, ...req })).then((r) => r.body!);
const run = (instanceId: string[], commandContent = 'echo hi', extra: Partial<$Ecs.RunCommandRequest> = {}) =>
  a
    .runCommand(
      new $Ecs.RunCommandRequest({ regionId: REGION, type: 'RunShellScript', commandContent, instanceId, ...extra }),
    )
    .then((r) => r.body!.invokeId!);
const resultsOf = async (invokeId: string, extra: Partial<$Ecs.DescribeInvocationResultsRequest> = {}) =>
  (
    await a.describeInvocationResults(
      new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId, maxResults: 50, ...extra }),
    )
  ).body!.invocation!;
const resultOf = async (invokeId: string) => (await resultsOf(invokeId)).invocationResults!.invocationResult![0]!;
/** Waits until the (single-instance) invocation is final and returns its result. */
const finalResult = (invokeId: string, timeoutMs = 5000) =>
  waitFor(async () => {
    const r = await resultOf(invokeId);
    return ['Pending', 'Running', 'Stopping'].includes(r.invocationStatus!) ? undefined : r;
  }, timeoutMs);
const waitRunning = (invokeId: string) =>
  waitFor(async () => ((await resultOf(invokeId)).invocationStatus === 'Running' ? true : undefined));
const postJson = (path: string, body: unknown) =>
  fetch(`${emu.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

void describe('faults: throttling per API and account', () => {
  void it('<account>/<Action> throttles only that account’s callers', async () => {
    emu.setFaults({ throttle: { [`${A}/DescribeInstances`]: { qps: 1 } } });
    try {
      await describeInstances(a);
      const e = await rejects(describeInstances(a), 'Throttling.User', 400);
      assert.equal(e.name, 'ThrottlingError');
      await describeInstances(b);
      await describeInstances(b); // account B has no rule
      await a.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION })); // other action
    } finally {
      emu.setFaults({ throttle: undefined });
    }
  });

  void it('perAccount: one bucket per calling account; "*" covers every action; the most specific rule wins', async () => {
    emu.setFaults({
      throttle: { DescribeInvocations: { qps: 1, perAccount: true }, '*': { qps: 0 }, [`${B}/*`]: { qps: 100 } },
    });
    try {
      const di = (c: Ecs) => c.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION }));
      await di(a);
      await di(b); // B has its own bucket (and its own, more specific rule)
      await rejects(di(a), 'Throttling.User', 400);
      await rejects(describeInstances(a), 'Throttling.User', 400); // "*" with qps 0: always throttled
      await describeInstances(b);
      const calls = emu.audit().calls.filter((c) => c.errorCode === 'Throttling.User');
      assert.ok(calls.every((c) => c.accountId === A));
    } finally {
      emu.setFaults({ throttle: undefined });
    }
  });

  void it('a bad throttle key or rule is refused by the admin endpoint (400) and the faults are unchanged', async () => {
    const before = await (await fetch(`${emu.url}/_emulator/faults`)).json();
    for (const bad of [{ throttle: { 'ecs:Run Command': { qps: 1 } } }, { throttle: { RunCommand: { qps: -1 } } }]) {
      const res = await postJson('/_emulator/faults', bad);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, /^scenario faults\.throttle/);
    }
    assert.deepEqual(await (await fetch(`${emu.url}/_emulator/faults`)).json(), before);
  });

  void it('a misspelt fault or a non-object is refused (400), naming the known faults', async () => {
    const before = await (await fetch(`${emu.url}/_emulator/faults`)).json();
    const cases: [unknown, RegExp][] = [
      [{ errorrate: 1 }, /^scenario faults\.errorrate: unknown fault; known: throttle, errorRate, /],
      [[], /^scenario faults: expected an object/],
      [5, /^scenario faults: expected an object/],
    ];
    for (const [bad, error] of cases) {
      const res = await postJson('/_emulator/faults', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.match(((await res.json()) as { error: string }).error, error);
    }
    assert.deepEqual(await (await fetch(`${emu.url}/_emulator/faults`)).json(), before);
  });
});

void describe('faults: per-action error and reset rates', () => {
  void it('errorRate {RunCommand: 1}: RunCommand fails 5xx before any effect; other actions are untouched', async () => {
    emu.setFaults({ errorRate: { RunCommand: 1 } });
    emu.resetAudit();
    try {
      const e = (await run(['i-run-1']).catch((x: unknown) => x)) as SdkError;
      assert.ok([500, 503].includes(e.statusCode!), e.message);
      await describeInstances(a);
      await sleep(50);
      assert.equal(emu.audit().executions.length, 0);
    } finally {
      emu.setFaults({ errorRate: undefined });
    }
  });

  void it('resetRate {"*": 0, RunCommand: 1}: RunCommand took effect but the caller sees a reset', async () => {
    emu.setFaults({ resetRate: { '*': 0, RunCommand: 1 } });
    emu.resetAudit();
    try {
      const e = (await run(['i-run-2'], 'echo reset', { clientToken: 'reset-tok-1' }).catch(
        (x: unknown) => x,
      )) as Error;
      assert.match(e.message, /socket hang up|ECONNRESET/);
      await describeInstances(a); // "*" is 0
    } finally {
      emu.setFaults({ resetRate: undefined });
    }
    // The retry with the same ClientToken finds the invocation the reset call created: nothing runs twice.
    const invokeId = await run(['i-run-2'], 'echo reset', { clientToken: 'reset-tok-1' });
    assert.equal(emu.audit().calls[0]!.params!.InvokeId, invokeId);
    await finalResult(invokeId);
    assert.equal(emu.audit().executions.filter((x) => x.instanceId === 'i-run-2').length, 1);
  });
});

void describe('faults: instances stopped, released, agents lost at runtime', () => {
  void it('setInstance Stopped while a command runs → Error + InstanceNotRunning, the process is killed', async () => {
    const id = await run(['i-stop-mid'], 'sleep 10');
    await waitRunning(id);
    emu.setInstance(A, REGION, 'i-stop-mid', { status: 'Stopped' });
    const r = await finalResult(id, 2000);
    assert.deepEqual(
      [r.invocationStatus, r.invokeRecordStatus, r.errorCode, r.errorInfo, r.exitCode],
      ['Error', 'Failed', 'InstanceNotRunning', 'The specified instance was not running during task execution', -1],
    );
    assert.match(r.finishedTime!, /Z$/);
    const [ex] = emu.audit().executions.filter((e) => e.invokeId === id);
    assert.equal(ex!.status, 'Error');
    assert.ok(ex!.finishTime! - ex!.startTime < 5000);
  });

  void it('POST /_emulator/instance {released: true} mid-run → Error + InstanceReleased; the instance is gone', async () => {
    const id = await run(['i-release-mid'], 'sleep 10');
    await waitRunning(id);
    const res = await postJson('/_emulator/instance', {
      accountId: A,
      regionId: REGION,
      instanceId: 'i-release-mid',
      released: true,
    });
    assert.equal(res.status, 200);
    const r = await finalResult(id, 2000);
    assert.deepEqual(
      [r.invocationStatus, r.errorCode, r.errorInfo],
      ['Error', 'InstanceReleased', 'The specified instance was released during task execution'],
    );
    // Gone from every API: DescribeInstances, RunCommand, DescribeCloudAssistantStatus.
    assert.deepEqual((await describeInstances(a, { instanceIds: '["i-release-mid"]' })).instances!.instance, []);
    await rejects(run(['i-release-mid']), 'InvalidInstance.NotFound', 404);
    await rejects(
      a.describeCloudAssistantStatus(
        new $Ecs.DescribeCloudAssistantStatusRequest({ regionId: REGION, instanceId: ['i-release-mid'] }),
      ),
      'InvalidInstance.NotFound',
      404,
    );
    // The invocation record stays, as in the cloud.
    assert.equal((await resultOf(id)).instanceId, 'i-release-mid');
    const bad = await postJson('/_emulator/instance', {
      accountId: A,
      regionId: REGION,
      instanceId: 'i-release-mid',
      status: 'Running',
    });
    assert.equal(bad.status, 400);
  });

  void it('released before delivery → Aborted + InstanceReleased, nothing ran', async () => {
    emu.setFaults({ deliveryDelayMs: 300 });
    try {
      const id = await run(['i-pending-release']);
      emu.setInstance(A, REGION, 'i-pending-release', { released: true });
      const r = await finalResult(id);
      assert.deepEqual([r.invocationStatus, r.errorCode, r.startTime], ['Aborted', 'InstanceReleased', '']);
      assert.equal(emu.audit().executions.filter((e) => e.invokeId === id).length, 0);
    } finally {
      emu.setFaults({ deliveryDelayMs: undefined });
    }
  });

  void it('agent offline mid-run: the command goes on and reports; later deliveries abort with ClientNotRunning', async () => {
    const id = await run(['i-agent-mid'], 'sleep 0.4; echo done');
    await waitRunning(id);
    emu.setInstance(A, REGION, 'i-agent-mid', { agent: 'offline' });
    const r = await finalResult(id);
    assert.deepEqual([r.invocationStatus, Buffer.from(r.output!, 'base64').toString()], ['Success', 'done\n']);
    const next = await finalResult(await run(['i-agent-mid']));
    assert.deepEqual([next.invocationStatus, next.errorCode], ['Aborted', 'ClientNotRunning']);
  });

  void it('faults.instanceEvents: stop / release / agentOffline fire once, afterRunMs into the first run', async () => {
    emu.setFaults({
      instanceEvents: {
        'i-event-stop': { event: 'stop', afterRunMs: 200 },
        'i-event-release': { event: 'release', afterRunMs: 200 },
        'i-event-agent': { event: 'agentOffline', afterRunMs: 100 },
      },
    });
    try {
      const stop = await run(['i-event-stop'], 'sleep 10');
      const release = await run(['i-event-release'], 'sleep 10');
      const agent = await run(['i-event-agent'], 'sleep 0.4');
      const [s, r, g] = await Promise.all([finalResult(stop), finalResult(release), finalResult(agent)]);
      assert.deepEqual([s.invocationStatus, s.errorCode], ['Error', 'InstanceNotRunning']);
      assert.deepEqual([r.invocationStatus, r.errorCode], ['Error', 'InstanceReleased']);
      assert.deepEqual([g.invocationStatus, g.errorCode], ['Success', '']);
      const started = emu.audit().executions.filter((e) => e.invokeId === stop)[0]!;
      assert.ok(started.finishTime! - started.startTime >= 200 && started.finishTime! - started.startTime < 2000);
      // The stopped instance is Stopped; the released one is gone; the agent is offline.
      const left = await describeInstances(a, { instanceIds: '["i-event-stop","i-event-release","i-event-agent"]' });
      assert.deepEqual(
        left.instances!.instance!.map((i) => [i.instanceId, i.status]),
        [
          ['i-event-stop', 'Stopped'],
          ['i-event-agent', 'Running'],
        ],
      );
    } finally {
      emu.setFaults({ instanceEvents: undefined });
    }
  });
});

void describe('faults: flapping agents', () => {
  void it('DescribeCloudAssistantStatus sees a flapping agent come and go', async () => {
    emu.setFaults({ agentFlap: { onlineMs: 150, offlineMs: 150 } });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const r = await a.describeCloudAssistantStatus(
          new $Ecs.DescribeCloudAssistantStatusRequest({ regionId: REGION, instanceId: ['i-flap'] }),
        );
        seen.add(r.body!.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus![0]!.cloudAssistantStatus!);
        await sleep(60);
      }
      assert.deepEqual([...seen].sort(), ['false', 'true']);
    } finally {
      emu.setFaults({ agentFlap: undefined });
    }
  });

  void it('a delivery waits for the agent to come back; past deliveryTimeoutMs it aborts with DeliveryTimeout', async () => {
    // Online 100 ms of every 700: a delivery usually waits, then runs.
    emu.setFaults({ agentFlap: { onlineMs: 100, offlineMs: 600 } });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await finalResult(await run(['i-flap'], 'echo up'), 3000);
        assert.equal(r.invocationStatus, 'Success');
      }
      // Online 1 ms of every 10 minutes, and a 300 ms delivery timeout: never delivered.
      emu.setFaults({ agentFlap: { onlineMs: 1, offlineMs: 600_000 }, deliveryTimeoutMs: 300 });
      const t0 = Date.now();
      const r = await finalResult(await run(['i-flap-2'], 'echo never'), 3000);
      assert.deepEqual(
        [r.invocationStatus, r.errorCode, r.errorInfo, r.startTime],
        ['Aborted', 'DeliveryTimeout', 'The command delivery has been timeout', ''],
      );
      assert.ok(Date.now() - t0 >= 300);
      const res = await postJson('/_emulator/instance', {
        accountId: A,
        regionId: REGION,
        instanceId: 'i-flap-2',
        agent: 'online',
      });
      assert.equal(res.status, 200);
      assert.equal((await finalResult(await run(['i-flap-2'], 'echo now'))).invocationStatus, 'Success');
    } finally {
      emu.setFaults({ agentFlap: undefined, deliveryTimeoutMs: undefined });
    }
  });
});

void describe('STS: root accounts and principals', () => {
  void it('a root account: GetCallerIdentity is Account, ECS is allowed, AssumeRole is refused', async () => {
    const who = await stsClient(emu, ROOT_A).getCallerIdentity();
    assert.deepEqual(
      [who.body!.identityType, who.body!.arn, who.body!.accountId, who.body!.userId, who.body!.principalId],
      ['Account', `acs:ram::${A}:root`, A, A, A],
    );
    assert.ok((await describeInstances(ecsClient(emu, ROOT_A))).totalCount! > 0);
    const e = await rejects(
      stsClient(emu, ROOT_A).assumeRole(
        new $Sts.AssumeRoleRequest({ roleArn: `acs:ram::${A}:role/FromHubRole`, roleSessionName: 'root' }),
      ),
      'NoPermission',
      403,
    );
    assert.match(e.message, /Roles may not be assumed by root accounts/);
    assert.equal(emu.audit().calls.at(-1)!.caller, `acs:ram::${A}:root`);
  });

  void it('a role ARN principal trusts sessions of that role only', async () => {
    const target = `acs:ram::${A}:role/FromHubRole`;
    const viaHub = await assumeChain(emu, HUB_USER, ['acs:ram::123456:role/Hub', target]);
    const who = await stsClient(emu, viaHub).getCallerIdentity();
    assert.equal(who.body!.arn, `acs:ram::${A}:assumed-role/fromhubrole/emulator-test`);
    const other = await assumeChain(emu, HUB_USER, ['acs:ram::123456:role/Other']);
    await rejects(
      stsClient(emu, other).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: target, roleSessionName: 'x1' })),
      'NoPermission',
      403,
    );
    // The user itself is not the role either.
    await rejects(
      stsClient(emu, HUB_USER).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: target, roleSessionName: 'x1' })),
      'NoPermission',
      403,
    );
  });

  void it('parameter rules: RoleSessionName 2..64, ExternalId form, Policy size', async () => {
    const assume = (extra: Partial<$Sts.AssumeRoleRequest>) =>
      stsClient(emu, HUB_USER).assumeRole(
        new $Sts.AssumeRoleRequest({ roleArn: 'acs:ram::123456:role/Hub', roleSessionName: 'ok', ...extra }),
      );
    assert.equal((await assume({ roleSessionName: `a.b@c-d_${'x'.repeat(55)}` })).statusCode, 200); // 64
    await rejects(assume({ roleSessionName: 'x'.repeat(65) }), 'InvalidParameter.RoleSessionName', 400);
    await rejects(assume({ externalId: 'a' }), 'InvalidParameter.ExternalId', 400);
    await rejects(assume({ externalId: 'has space' }), 'InvalidParameter.ExternalId', 400);
    const big = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: Array.from({ length: 200 }, (_, i) => `ecs:Describe${i}`) }],
    });
    await rejects(assume({ policy: big }), 'InvalidParameter.PolicySize', 400);
    await rejects(assume({ durationSeconds: 900.5 }), 'InvalidParameter.DurationSeconds', 400);
  });
});

void describe('RunCommand parameter rules', () => {
  void it('size limits, Timeout, WorkingDir, Username, ClientToken form', async () => {
    const body = 'x'.repeat(14_000); // 18,668 bytes in Base64: over 18 KB, under 24 KB
    await rejects(run(['i-run-1'], body, { keepCommand: true }), 'CmdContent.ExceedLimit', 403);
    await rejects(run(['i-run-1'], 'true', { timeout: 86_401 }), 'InvalidTimeout.ExceedLimit', 403);
    await rejects(run(['i-run-1'], 'true', { workingDir: `/${'d'.repeat(200)}` }), 'InvalidParameter.WorkingDir', 400);
    await rejects(run(['i-run-1'], 'true', { username: 'u'.repeat(256) }), 'Username.ExceedLimit', 403);
    await rejects(run(['i-run-1'], 'true', { clientToken: 't'.repeat(65) }), 'InvalidClientToken.Malformed', 400);
    await rejects(run(['i-run-1'], 'true', { clientToken: 'tök' }), 'InvalidClientToken.Malformed', 400);
  });

  void it('{{ACS::InvokeId}} and {{ACS::CommandId}}; ContentEncoding is case-insensitive', async () => {
    const content = Buffer.from('echo {{ACS::InvokeId}} {{ACS::CommandId}} {{ Name }}').toString('base64');
    const res = await a.runCommand(
      new $Ecs.RunCommandRequest({
        regionId: REGION,
        type: 'RunShellScript',
        commandContent: content,
        contentEncoding: 'base64',
        instanceId: ['i-run-1'],
        enableParameter: true,
        parameters: { name: 'n1' },
      }),
    );
    const r = await finalResult(res.body!.invokeId!);
    assert.equal(Buffer.from(r.output!, 'base64').toString(), `${res.body!.invokeId!} ${res.body!.commandId!} n1\n`);
  });
});

void describe('paging on every Describe API', () => {
  let invokeIds: string[] = [];
  before(async () => {
    const ids = Array.from({ length: 23 }, (_, i) => `i-page-${String(i + 1).padStart(4, '0')}`);
    invokeIds = [await run(ids, 'true', { name: 'page-big' })];
    for (let i = 0; i < 3; i++) invokeIds.push(await run(['i-page-0001'], 'true', { name: 'page-small' }));
  });

  void it('DescribeInvocations: PageNumber/PageSize and MaxResults/NextToken give the same order', async () => {
    const di = (req: Partial<$Ecs.DescribeInvocationsRequest>) =>
      a
        .describeInvocations(
          new $Ecs.DescribeInvocationsRequest({ regionId: REGION, instanceId: 'i-page-0001', ...req }),
        )
        .then((r) => r.body!);
    const p1 = await di({ pageNumber: 1, pageSize: 3 });
    const p2 = await di({ pageNumber: 2, pageSize: 3 });
    assert.deepEqual([p1.totalCount, p1.pageNumber, p1.pageSize, p1.nextToken, p2.pageNumber], [4, 1, 3, '', 2]);
    const paged = [...p1.invocations!.invocation!, ...p2.invocations!.invocation!].map((i) => i.invokeId);
    assert.deepEqual(paged, [...invokeIds].reverse());
    const t1 = await di({ maxResults: 3 });
    const t2 = await di({ maxResults: 3, nextToken: t1.nextToken! });
    assert.deepEqual(
      [...t1.invocations!.invocation!, ...t2.invocations!.invocation!].map((i) => i.invokeId),
      paged,
    );
    assert.equal(t2.nextToken, '');
    await rejects(di({ pageSize: 51 }), 'InvalidParam.PageSize', 400);
    await rejects(di({ pageNumber: 0 }), 'InvalidParam.PageNumber', 400);
    await rejects(di({ nextToken: 'garbage' }), 'InvalidParameter.NextToken', 400);
  });

  void it('DescribeInvocationResults: 23 results in pages of 10 both ways; MaxResults ≤ 50', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const p = await resultsOf(invokeIds[0]!, { maxResults: undefined, pageNumber: page, pageSize: 10 });
      assert.deepEqual([p.totalCount, p.pageNumber, p.pageSize, p.nextToken], [23, page, 10, '']);
      seen.push(...p.invocationResults!.invocationResult!.map((r) => r.instanceId!));
    }
    assert.equal(new Set(seen).size, 23);
    const viaToken: string[] = [];
    let token = '';
    do {
      const p = await resultsOf(invokeIds[0]!, { maxResults: 10, ...(token ? { nextToken: token } : {}) });
      viaToken.push(...p.invocationResults!.invocationResult!.map((r) => r.instanceId!));
      token = p.nextToken ?? '';
    } while (token);
    assert.deepEqual(viaToken, seen);
    await rejects(resultsOf(invokeIds[0]!, { maxResults: 51 }), 'InvalidParameter.MaxResults', 400);
  });

  void it('DescribeCloudAssistantStatus: PageNumber/PageSize and MaxResults/NextToken; InstanceId ignores paging', async () => {
    const das = (req: Partial<$Ecs.DescribeCloudAssistantStatusRequest>) =>
      a
        .describeCloudAssistantStatus(new $Ecs.DescribeCloudAssistantStatusRequest({ regionId: REGION, ...req }))
        .then((r) => r.body!);
    const all = await das({ maxResults: 50 });
    const total = all.totalCount!;
    const p2 = await das({ pageNumber: 2, pageSize: 5 });
    assert.deepEqual(
      p2.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus!.map((s) => s.instanceId),
      all.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus!.slice(5, 10).map((s) => s.instanceId),
    );
    const t1 = await das({ maxResults: 20 });
    const t2 = await das({ maxResults: 20, nextToken: t1.nextToken! });
    assert.equal(
      t1.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus!.length +
        t2.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus!.length,
      total,
    );
    const ids = Array.from({ length: 12 }, (_, i) => `i-page-${String(i + 1).padStart(4, '0')}`);
    const byId = await das({ instanceId: ids, maxResults: 5 });
    assert.equal(byId.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus!.length, 12);
  });
});

void describe('status rules (reference §2.2/§2.3)', () => {
  const S = (...s: InstanceInvocationStatus[]) => s;
  const table: [InstanceInvocationStatus[], string, string][] = [
    [S('Pending', 'Running', 'Success'), 'Pending', 'Running'],
    [S('Running', 'Success'), 'Running', 'Running'],
    [S('Stopping', 'Success'), 'Stopping', 'Running'],
    [S('Success', 'Success'), 'Success', 'Finished'],
    [S('Success', 'Cancelled'), 'Success', 'Finished'],
    [S('Failed', 'Timeout', 'Error', 'Aborted', 'Invalid'), 'Failed', 'Failed'],
    [S('Timeout', 'Terminated'), 'Failed', 'Failed'],
    [S('Cancelled', 'Terminated'), 'Stopped', 'Stopped'],
    [S('Success', 'Failed'), 'PartialFailed', 'Finished'],
    [S('Success', 'Aborted', 'Terminated'), 'PartialFailed', 'Failed'],
  ];
  for (const [statuses, aggregate, legacy] of table) {
    void it(`${statuses.join('+')} → ${aggregate} (InvokeStatus ${legacy})`, () => {
      assert.equal(aggregateStatus(statuses), aggregate);
      assert.equal(aggregateLegacyStatus(statuses), legacy);
    });
  }
  void it('per instance: a nonzero exit is Finished; Timeout/Error/Aborted/Invalid Failed; Cancelled/Terminated Stopped', () => {
    assert.deepEqual(
      S(
        'Pending',
        'Running',
        'Success',
        'Failed',
        'Timeout',
        'Error',
        'Aborted',
        'Invalid',
        'Cancelled',
        'Terminated',
      ).map(legacyInstanceStatus),
      ['Running', 'Running', 'Finished', 'Finished', 'Failed', 'Failed', 'Failed', 'Failed', 'Stopped', 'Stopped'],
    );
  });
});
