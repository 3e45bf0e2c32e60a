// Contract tests: the REAL @alicloud ECS SDK client against the emulator — instances, Cloud Assistant
// invocations in exec mode, status machine, idempotency, paging and fault injection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ecs, * as $Ecs from '@alicloud/ecs20140526';
import type { Scenario } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';
import { ecsClient, waitFor, type Creds } from '../../emulator/testkit';

const OPS: Creds = { accessKeyId: 'LTAI-ops', accessKeySecret: 'ops-secret' };
const REGION = 'cn-shanghai';

const scenario: Scenario = {
  execution: 'exec',
  accounts: [
    {
      id: '654321',
      users: [{ name: 'ops', ...OPS, policies: ['AliyunECSFullAccess'] }],
      regions: {
        [REGION]: {
          instances: [
            {
              id: 'i-web-1',
              name: 'web-1',
              status: 'Running',
              tags: { env: 'prod', app: 'web' },
              resourceGroupId: 'rg-web',
            },
            {
              id: 'i-web-2',
              name: 'web-2',
              status: 'Running',
              tags: { env: 'prod', app: 'web' },
              resourceGroupId: 'rg-web',
            },
            { id: 'i-stopped', name: 'batch-1', status: 'Stopped', tags: { env: 'prod' } },
            { id: 'i-offline', name: 'db-1', status: 'Running', agent: 'offline', tags: { env: 'prod' } },
            { id: 'i-win', name: 'win-1', status: 'Running', osType: 'windows' },
          ],
          generate: [
            { count: 250, idPrefix: 'i-gen-', status: 'Running', tags: { env: 'staging' }, resourceGroupId: 'rg-gen' },
          ],
        },
      },
    },
  ],
};

type SdkError = Error & { code?: string; statusCode?: number; data?: Record<string, unknown> };

async function rejects(p: Promise<unknown>, code: string, status: number): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    const x = e as SdkError;
    assert.equal(x.code, code, x.message);
    assert.equal(x.statusCode, status, x.message);
    return x;
  }
  assert.fail(`expected ${code}`);
}

let emu: EmulatorHandle;
let ecs: Ecs;

const run = (commandContent: string, instanceId: string[], extra: Partial<$Ecs.RunCommandRequest> = {}) =>
  ecs.runCommand(
    new $Ecs.RunCommandRequest({ regionId: REGION, type: 'RunShellScript', commandContent, instanceId, ...extra }),
  );

async function results(invokeId: string, encoding?: string) {
  const r = await ecs.describeInvocationResults(
    new $Ecs.DescribeInvocationResultsRequest({
      regionId: REGION,
      invokeId,
      maxResults: 50,
      ...(encoding ? { contentEncoding: encoding } : {}),
    }),
  );
  return r.body!.invocation!.invocationResults!.invocationResult!;
}

/** Polls DescribeInvocations until the invocation is in a final state. */
function settled(invokeId: string, timeoutMs = 10_000) {
  return waitFor(async () => {
    const r = await ecs.describeInvocations(
      new $Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId, includeOutput: true }),
    );
    const inv = r.body!.invocations!.invocation![0];
    return inv && !['Pending', 'Running', 'Stopping'].includes(inv.invocationStatus!) ? inv : undefined;
  }, timeoutMs);
}

const executionsOf = (invokeId: string) => emu.audit().executions.filter((e) => e.invokeId === invokeId);
const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

before(async () => {
  emu = await startEmulator({ scenario, port: 0 });
  ecs = ecsClient(emu, OPS);
});
after(async () => {
  await emu.close();
});

void describe('emulator ECS: DescribeInstances', () => {
  const describe_ = (req: Partial<$Ecs.DescribeInstancesRequest>) =>
    ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, ...req })).then((r) => r.body!);

  void it('pages the whole region with MaxResults/NextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const b = await describe_({ maxResults: 100, ...(token ? { nextToken: token } : {}) });
      assert.equal(b.totalCount, 255);
      seen.push(...b.instances!.instance!.map((i) => i.instanceId!));
      token = b.nextToken || undefined;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 255);
    assert.equal(seen[5], 'i-gen-0001');
  });

  void it('clamps MaxResults to [10, 100] and supports PageNumber/PageSize', async () => {
    assert.equal((await describe_({ maxResults: 5 })).instances!.instance!.length, 10);
    assert.equal((await describe_({ maxResults: 500 })).instances!.instance!.length, 100);
    const p3 = await describe_({ pageNumber: 3, pageSize: 100 });
    assert.equal(p3.pageNumber, 3);
    assert.equal(p3.instances!.instance!.length, 55);
  });

  void it('filters by Status, Tag, InstanceIds, ResourceGroupId and InstanceName', async () => {
    const stopped = await describe_({ status: 'Stopped' });
    assert.deepEqual(
      stopped.instances!.instance!.map((i) => i.instanceId),
      ['i-stopped'],
    );
    const staging = await describe_({
      tag: [new $Ecs.DescribeInstancesRequestTag({ key: 'env', value: 'staging' })],
      maxResults: 100,
    });
    assert.equal(staging.totalCount, 250);
    const web = await describe_({
      tag: [
        new $Ecs.DescribeInstancesRequestTag({ key: 'env', value: 'prod' }),
        new $Ecs.DescribeInstancesRequestTag({ key: 'app' }),
      ],
    });
    assert.deepEqual(
      web.instances!.instance!.map((i) => i.instanceId),
      ['i-web-1', 'i-web-2'],
    );
    const ids = await describe_({ instanceIds: JSON.stringify(['i-win', 'i-web-2', 'i-nope']) });
    assert.deepEqual(
      ids.instances!.instance!.map((i) => i.instanceId),
      ['i-web-2', 'i-win'],
    );
    assert.equal((await describe_({ resourceGroupId: 'rg-gen' })).totalCount, 250);
    assert.deepEqual(
      (await describe_({ instanceName: 'web-*' })).instances!.instance!.map((i) => i.instanceName),
      ['web-1', 'web-2'],
    );
    await rejects(describe_({ status: 'Sleeping' }), 'InvalidStatus.NotFound', 404);
    await rejects(describe_({ instanceIds: 'i-web-1' }), 'InvalidInstanceIds.Malformed', 400);
  });

  void it('renders the reference shape; an unknown region is empty, not an error', async () => {
    const one = (await describe_({ instanceIds: '["i-win"]' })).instances!.instance![0]!;
    assert.equal(one.OSType, 'windows');
    assert.equal(one.status, 'Running');
    assert.equal(one.regionId, REGION);
    assert.match(one.creationTime!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
    const web = (await describe_({ instanceIds: '["i-web-1"]' })).instances!.instance![0]!;
    assert.deepEqual(
      web.tags!.tag!.map((t) => [t.tagKey, t.tagValue]),
      [
        ['env', 'prod'],
        ['app', 'web'],
      ],
    );
    const empty = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-nowhere' }));
    assert.equal(empty.body!.totalCount, 0);
    assert.deepEqual(empty.body!.instances!.instance, []);
  });

  void it('DescribeCloudAssistantStatus reports agent state per instance', async () => {
    const r = await ecs.describeCloudAssistantStatus(
      new $Ecs.DescribeCloudAssistantStatusRequest({
        regionId: REGION,
        instanceId: ['i-web-1', 'i-offline', 'i-stopped', 'i-win'],
      }),
    );
    const s = r.body!.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus!;
    assert.deepEqual(
      s.map((x) => [x.instanceId, x.cloudAssistantStatus, x.OSType]),
      [
        ['i-web-1', 'true', 'Linux'],
        ['i-offline', 'false', 'Linux'],
        ['i-stopped', 'false', 'Linux'],
        ['i-win', 'true', 'Windows'],
      ],
    );
    await rejects(
      ecs.describeCloudAssistantStatus(
        new $Ecs.DescribeCloudAssistantStatusRequest({ regionId: REGION, instanceId: ['i-nope'] }),
      ),
      'InvalidInstance.NotFound',
      404,
    );
  });
});

void describe('emulator ECS: RunCommand (exec mode)', () => {
  void it('echo hello → Success, Output "hello\\n", one audited execution', async () => {
    emu.resetAudit();
    const r = await run('echo hello', ['i-web-1']);
    assert.match(r.body!.invokeId!, /^t-[0-9a-f]{20}$/);
    assert.match(r.body!.commandId!, /^c-[0-9a-f]{20}$/);
    const inv = await settled(r.body!.invokeId!);
    assert.equal(inv.invocationStatus, 'Success');
    assert.equal(inv.invokeStatus, 'Finished');
    assert.equal(inv.commandContent, Buffer.from('echo hello').toString('base64'));
    assert.equal(inv.timeout, 60);
    const ii = inv.invokeInstances!.invokeInstance![0]!;
    assert.equal(ii.invocationStatus, 'Success');
    assert.equal(ii.instanceInvokeStatus, 'Finished');
    assert.equal(b64(ii.output), 'hello\n');
    assert.match(ii.finishTime!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const [res] = await results(r.body!.invokeId!);
    assert.equal(res!.invocationStatus, 'Success');
    assert.equal(res!.invokeRecordStatus, 'Finished');
    assert.equal(res!.exitCode, 0);
    assert.equal(res!.dropped, 0);
    assert.equal(res!.errorCode, '');
    assert.equal(b64(res!.output), 'hello\n');
    assert.equal((await results(r.body!.invokeId!, 'PlainText'))[0]!.output, 'hello\n');

    const ex = executionsOf(r.body!.invokeId!);
    assert.equal(ex.length, 1);
    assert.equal(ex[0]!.instanceId, 'i-web-1');
    assert.equal(ex[0]!.accountId, '654321');
    assert.equal(ex[0]!.status, 'Success');
    assert.equal(ex[0]!.exitCode, 0);
    assert.ok(ex[0]!.finishTime! >= ex[0]!.startTime);
    const call = emu.audit().calls.find((c) => c.action === 'RunCommand')!;
    assert.deepEqual(call.params, { InvokeId: r.body!.invokeId, InstanceIds: 1 });
    assert.equal(call.caller, 'acs:ram::654321:user/ops');
  });

  void it('a script no process can take (a NUL byte) ends that instance as Error; the emulator goes on', async () => {
    const bad = await settled((await run('echo a\u0000b', ['i-web-1'])).body!.invokeId!);
    assert.equal(bad.invocationStatus, 'Failed');
    const [res] = await results(bad.invokeId!);
    assert.equal(res!.invocationStatus, 'Error');
    assert.equal(res!.errorCode, 'ExecutionException');
    const good = await settled((await run('echo ok', ['i-web-1'])).body!.invokeId!);
    assert.equal(good.invocationStatus, 'Success');
  });

  void it('parameters: {{name}} and ACS:: built-ins; Base64 content', async () => {
    const content = Buffer.from(
      'echo {{greeting}} {{ACS::InstanceId}} {{ACS::RegionId}} {{ACS::AccountId}} {{ACS::InstanceName}}',
    ).toString('base64');
    const r = await run(content, ['i-web-2'], {
      contentEncoding: 'Base64',
      enableParameter: true,
      parameters: { greeting: 'hi there' },
    });
    const [res] = await results((await settled(r.body!.invokeId!)).invokeId!, 'PlainText');
    assert.equal(res!.output, 'hi there i-web-2 cn-shanghai 654321 web-2\n');
    await rejects(
      run('echo {{missing}}', ['i-web-2'], { enableParameter: true, parameters: {} }),
      'Parameter.NotMatched',
      400,
    );
    await rejects(run('echo x', ['i-web-2'], { parameters: { a: 'b' } }), 'Parameter.Disabled', 400);
  });

  void it('ClientToken: same token + same params → same InvokeId and one execution per instance', async () => {
    const req = { clientToken: 'tok-idem-1', timeout: 30 };
    const a = await run('echo once >> marker; cat marker | wc -l', ['i-web-1', 'i-web-2'], req);
    const b = await run('echo once >> marker; cat marker | wc -l', ['i-web-1', 'i-web-2'], req);
    assert.equal(b.body!.invokeId, a.body!.invokeId);
    assert.equal(b.body!.commandId, a.body!.commandId);
    await settled(a.body!.invokeId!);
    const c = await run('echo once >> marker; cat marker | wc -l', ['i-web-1', 'i-web-2'], req); // after completion too
    assert.equal(c.body!.invokeId, a.body!.invokeId);
    await new Promise((r) => setTimeout(r, 100));
    const ex = executionsOf(a.body!.invokeId!);
    assert.deepEqual(ex.map((e) => e.instanceId).sort(), ['i-web-1', 'i-web-2']);
    await rejects(run('echo different', ['i-web-1', 'i-web-2'], req), 'IdempotentParameterMismatch', 403);
    await rejects(run('echo once >> marker; cat marker | wc -l', ['i-web-1'], req), 'IdempotentParameterMismatch', 403);
  });

  void it('stopped instance → Aborted/InstanceNotRunning; agent offline → Aborted/ClientNotRunning; aggregate PartialFailed', async () => {
    const r = await run('echo hi', ['i-web-1', 'i-stopped', 'i-offline']);
    const inv = await settled(r.body!.invokeId!);
    assert.equal(inv.invocationStatus, 'PartialFailed');
    assert.equal(inv.invokeStatus, 'Failed');
    const byId = new Map(inv.invokeInstances!.invokeInstance!.map((i) => [i.instanceId!, i]));
    assert.equal(byId.get('i-web-1')!.invocationStatus, 'Success');
    assert.equal(byId.get('i-stopped')!.invocationStatus, 'Aborted');
    assert.equal(byId.get('i-stopped')!.errorCode, 'InstanceNotRunning');
    assert.equal(byId.get('i-stopped')!.errorInfo, 'The specified instance was not running during task execution');
    assert.equal(byId.get('i-stopped')!.startTime, '');
    assert.equal(byId.get('i-offline')!.invocationStatus, 'Aborted');
    assert.equal(byId.get('i-offline')!.errorCode, 'ClientNotRunning');
    assert.deepEqual(
      executionsOf(r.body!.invokeId!).map((e) => e.instanceId),
      ['i-web-1'],
    );
    const only = await run('echo hi', ['i-stopped']);
    assert.equal((await settled(only.body!.invokeId!)).invocationStatus, 'Failed');
  });

  void it('nonzero exit → Failed/ExitCodeNonzero', async () => {
    const r = await run('echo oops >&2; exit 3', ['i-web-1']);
    const inv = await settled(r.body!.invokeId!);
    assert.equal(inv.invocationStatus, 'Failed');
    const [res] = await results(r.body!.invokeId!);
    assert.equal(res!.invocationStatus, 'Failed');
    assert.equal(res!.invokeRecordStatus, 'Finished');
    assert.equal(res!.exitCode, 3);
    assert.equal(res!.errorCode, 'ExitCodeNonzero');
    assert.equal(res!.errorInfo, 'The command execution exit code is not zero');
    assert.equal(b64(res!.output), 'oops\n');
  });

  void it('Timeout → Timeout/ExecutionTimeout with FinishedTime = StartTime + Timeout; the process tree is killed', async () => {
    const r = await run('echo started; sleep 30; echo never', ['i-web-1'], { timeout: 1 });
    const inv = await settled(r.body!.invokeId!, 5000);
    assert.equal(inv.invocationStatus, 'Failed');
    const [res] = await results(r.body!.invokeId!, 'PlainText');
    assert.equal(res!.invocationStatus, 'Timeout');
    assert.equal(res!.invokeRecordStatus, 'Failed');
    assert.equal(res!.errorCode, 'ExecutionTimeout');
    assert.equal(res!.errorInfo, 'The command execution has been timeout');
    assert.equal(Date.parse(res!.finishedTime!) - Date.parse(res!.startTime!), 1000);
    assert.equal(res!.output, 'started\n');
    const [ex] = executionsOf(r.body!.invokeId!);
    assert.equal(ex!.status, 'Timeout');
    assert.equal(ex!.finishTime! - ex!.startTime, 1000);
  });

  void it('output over 24 KB is truncated with Dropped', async () => {
    const r = await run("head -c 30000 /dev/zero | tr '\\0' a", ['i-web-1']);
    await settled(r.body!.invokeId!);
    const [res] = await results(r.body!.invokeId!);
    const out = Buffer.from(res!.output!, 'base64');
    assert.equal(out.length, 24576);
    assert.equal(res!.dropped, 30000 - 24576);
    assert.equal(out.toString(), 'a'.repeat(24576));
  });

  void it('StopInvocation: running → Terminated (killed), pending → Cancelled', async () => {
    const r = await run('sleep 30', ['i-web-1']);
    const id = r.body!.invokeId!;
    await waitFor(async () => ((await results(id))[0]!.invocationStatus === 'Running' ? true : undefined));
    await ecs.stopInvocation(new $Ecs.StopInvocationRequest({ regionId: REGION, invokeId: id }));
    const inv = await settled(id, 2000);
    assert.equal(inv.invocationStatus, 'Stopped');
    assert.equal(inv.invokeStatus, 'Stopped');
    const [res] = await results(id);
    assert.equal(res!.invocationStatus, 'Terminated');
    assert.equal(res!.invokeRecordStatus, 'Stopped');
    assert.notEqual(res!.stopTime, '');
    assert.equal(executionsOf(id)[0]!.status, 'Terminated');

    emu.setFaults({ deliveryDelayMs: 5000 });
    try {
      const p = await run('echo never', ['i-web-2']);
      await ecs.stopInvocation(
        new $Ecs.StopInvocationRequest({ regionId: REGION, invokeId: p.body!.invokeId!, instanceId: ['i-web-2'] }),
      );
      const [pr] = await results(p.body!.invokeId!);
      assert.equal(pr!.invocationStatus, 'Cancelled');
      assert.equal(executionsOf(p.body!.invokeId!).length, 0);
    } finally {
      emu.setFaults({ deliveryDelayMs: undefined });
    }
    await rejects(
      ecs.stopInvocation(new $Ecs.StopInvocationRequest({ regionId: REGION, invokeId: 't-nope' })),
      'InvalidInvokeId.NotFound',
      404,
    );
  });

  void it('validation errors fail the whole call and run nothing', async () => {
    emu.resetAudit();
    await rejects(run('echo x', ['i-web-1'], { type: 'RunPythonScript' }), 'InvalidCmdType.NotFound', 404);
    await rejects(run('echo x', ['i-web-1', 'i-nope']), 'InvalidInstance.NotFound', 404);
    await rejects(run('echo x', ['i-win']), 'InvalidInstance.NotMatch', 400);
    await rejects(run('%%%', ['i-web-1'], { contentEncoding: 'Base64' }), 'CmdContent.DecodeError', 400);
    await rejects(run('x'.repeat(18_500), ['i-web-1']), 'CmdContent.ExceedLimit', 403);
    await rejects(run('echo x', []), 'MissingParam.InstanceId', 400);
    const many = Array.from({ length: 101 }, (_, i) => `i-gen-${String(i + 1).padStart(4, '0')}`);
    await rejects(run('echo x', many), 'InstanceIds.ExceedLimit', 403);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(emu.audit().executions.length, 0);
    const res = await fetch(`${emu.url}/`, {
      method: 'POST',
      headers: { 'x-acs-action': 'Nope', 'x-acs-version': '2014-05-26' },
    });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/json;charset=utf-8');
    const body = (await res.json()) as Record<string, string>;
    assert.equal(body.Code, 'InvalidApi.NotFound');
    assert.deepEqual(Object.keys(body).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  });

  void it('DescribeInvocations pages with MaxResults/NextToken, filters by InstanceId, and rejects MaxResults > 50', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await run(`echo ${i}`, ['i-gen-0100'])).body!.invokeId!);
    const first = await ecs.describeInvocations(
      new $Ecs.DescribeInvocationsRequest({ regionId: REGION, instanceId: 'i-gen-0100', maxResults: 2 }),
    );
    assert.equal(first.body!.totalCount, 3);
    assert.deepEqual(
      first.body!.invocations!.invocation!.map((i) => i.invokeId),
      [ids[2], ids[1]],
    );
    const second = await ecs.describeInvocations(
      new $Ecs.DescribeInvocationsRequest({
        regionId: REGION,
        instanceId: 'i-gen-0100',
        maxResults: 2,
        nextToken: first.body!.nextToken!,
      }),
    );
    assert.deepEqual(
      second.body!.invocations!.invocation!.map((i) => i.invokeId),
      [ids[0]],
    );
    assert.equal(second.body!.nextToken, '');
    await rejects(
      ecs.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION, maxResults: 51 })),
      'InvalidParameter.MaxResults',
      400,
    );
  });
});

void describe('emulator ECS: faults', () => {
  void it('throttle → SDK ThrottlingError with code Throttling.User (HTTP 400)', async () => {
    emu.setFaults({ throttle: { DescribeInvocations: { qps: 2 } } });
    try {
      const req = () => ecs.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION }));
      await req();
      await req();
      const e = await rejects(req(), 'Throttling.User', 400);
      assert.equal(e.name, 'ThrottlingError');
      assert.match(e.message, /Request was denied due to user flow control\./);
      await new Promise((r) => setTimeout(r, 600));
      await req(); // refilled
    } finally {
      emu.setFaults({ throttle: undefined });
    }
  });

  void it('invocationVisibilityDelayMs hides a new invocation from Describe*/Stop until it elapses', async () => {
    const res = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ invocationVisibilityDelayMs: 400 }),
    });
    assert.equal(((await res.json()) as { invocationVisibilityDelayMs: number }).invocationVisibilityDelayMs, 400);
    try {
      const r = await run('echo later', ['i-web-1']);
      const id = r.body!.invokeId!;
      const d = await ecs.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId: id }));
      assert.equal(d.body!.totalCount, 0);
      assert.deepEqual(d.body!.invocations!.invocation, []);
      assert.deepEqual(await results(id), []);
      await rejects(
        ecs.stopInvocation(new $Ecs.StopInvocationRequest({ regionId: REGION, invokeId: id })),
        'InvalidInvokeId.NotFound',
        404,
      );
      await new Promise((r) => setTimeout(r, 450));
      assert.equal((await settled(id)).invocationStatus, 'Success');
    } finally {
      await fetch(`${emu.url}/_emulator/faults`, {
        method: 'POST',
        body: JSON.stringify({ invocationVisibilityDelayMs: null }),
      });
    }
  });

  void it('errorRate → 500 InternalError / 503 ServiceUnavailable; resetRate → connection reset, audited', async () => {
    emu.setFaults({ errorRate: 1 });
    try {
      const e = (await ecs
        .describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION }))
        .catch((x: unknown) => x)) as SdkError;
      assert.ok(['InternalError', 'ServiceUnavailable'].includes(e.code!), e.message);
      assert.ok([500, 503].includes(e.statusCode!));
      assert.equal(e.name, 'ServerError');
    } finally {
      emu.setFaults({ errorRate: undefined });
    }
    emu.setFaults({ resetRate: 1 });
    emu.resetAudit();
    try {
      const e = (await run('echo reset', ['i-web-2']).catch((x: unknown) => x)) as Error;
      assert.ok(e instanceof Error);
      assert.match(e.message, /socket hang up|ECONNRESET/);
    } finally {
      emu.setFaults({ resetRate: undefined });
    }
    const [call] = emu.audit().calls;
    assert.equal(call!.errorCode, 'ConnectionReset');
    // The reset happened after the call took effect: the command still ran.
    await waitFor(() => Promise.resolve(emu.audit().executions.length === 1 ? true : undefined));
  });

  void it('latencyMs delays responses', async () => {
    emu.setFaults({ latencyMs: [150, 150] });
    try {
      const t0 = Date.now();
      await ecs.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION }));
      assert.ok(Date.now() - t0 >= 150);
    } finally {
      emu.setFaults({ latencyMs: undefined });
    }
  });

  void it('setInstance stops an instance at runtime', async () => {
    emu.setInstance('654321', REGION, 'i-gen-0200', { status: 'Stopped' });
    const r = await run('echo x', ['i-gen-0200']);
    const [res] = await results((await settled(r.body!.invokeId!)).invokeId!);
    assert.equal(res!.errorCode, 'InstanceNotRunning');
  });
});
