// Contract tests, field by field: every action the product uses, called through the REAL @alicloud SDK
// clients; each response checked on the wire (names, JSON types, arrays always arrays, time formats) against
// /work/shared/reference/alibaba-cloud-api-facts.md, and parsed by the SDK into its model without loss.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Ecs from '@alicloud/ecs20140526';
import * as $Ecs from '@alicloud/ecs20140526';
import type Sts from '@alicloud/sts20150401';
import * as $Sts from '@alicloud/sts20150401';
import { loadScenario, type Scenario } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';
import { assumeChain, ecsClient, stsClient, waitFor, type Creds } from '../../emulator/testkit';

const WORKER: Creds = { accessKeyId: 'LTAI5tSeedWorkerKey0001', accessKeySecret: 'SeedWorkerSecret0000000000000001' };
const HUB_ROLE = 'acs:ram::123456:role/OOSServiceRole';
const MEMBER_ROLE = 'acs:ram::654321:role/OOSServiceRole';
const REGION = 'cn-shanghai';

// ---- a tiny schema language ------------------------------------------------------------------------------

/** 'string' | 'number' | 'boolean' | a RegExp a string must match | [item] (always an array) | an object. */
type Schema = 'string' | 'number' | 'boolean' | RegExp | [Schema] | { [key: string]: Schema };

/** `?Name` marks an optional field; every other field is required, and no field outside the schema may appear. */
function conforms(value: unknown, schema: Schema, path = '$'): void {
  if (schema instanceof RegExp) {
    assert.equal(typeof value, 'string', `${path}: expected a string`);
    assert.match(value as string, schema, path);
    return;
  }
  if (typeof schema === 'string') {
    assert.equal(typeof value, schema, `${path}: expected ${schema}, got ${JSON.stringify(value)}`);
    return;
  }
  if (Array.isArray(schema)) {
    assert.ok(Array.isArray(value), `${path}: expected an array, got ${JSON.stringify(value)}`);
    value.forEach((v, i) => conforms(v, schema[0], `${path}[${i}]`));
    return;
  }
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${path}: expected an object`);
  const obj = value as Record<string, unknown>;
  const fields = new Map(Object.entries(schema).map(([k, s]) => [k.replace(/^\?/, ''), { s, optional: k[0] === '?' }]));
  for (const key of Object.keys(obj)) assert.ok(fields.has(key), `${path}.${key}: not in the reference`);
  for (const [key, { s, optional }] of fields) {
    if (!(key in obj)) {
      assert.ok(optional, `${path}.${key}: missing`);
      continue;
    }
    conforms(obj[key], s, `${path}.${key}`);
  }
}

const ISO_S = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_S_OR_EMPTY = /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)?$/;
const ISO_MIN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/;
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const INVOKE_ID = /^t-[0-9a-f]{20}$/;
const COMMAND_ID = /^c-[0-9a-f]{20}$/;
const TAGS: Schema = { Tag: [{ TagKey: 'string', TagValue: 'string' }] };

// Reference §1 (STS).
const ASSUME_ROLE: Schema = {
  RequestId: REQUEST_ID,
  AssumedRoleUser: { Arn: /^acs:ram::\d+:role\/[^/]+\/[\w.@-]+$/, AssumedRoleId: /^\d+:[\w.@-]+$/ },
  Credentials: { AccessKeyId: /^STS\./, AccessKeySecret: 'string', SecurityToken: 'string', Expiration: ISO_S },
  '?SourceIdentity': 'string',
};
const CALLER_USER: Schema = {
  RequestId: REQUEST_ID,
  AccountId: /^\d+$/,
  Arn: /^acs:ram::\d+:user\/.+$/,
  IdentityType: /^RAMUser$/,
  PrincipalId: /^\d+$/,
  UserId: /^\d+$/,
};
const CALLER_ROLE: Schema = {
  RequestId: REQUEST_ID,
  AccountId: /^\d+$/,
  Arn: /^acs:ram::\d+:assumed-role\/.+\/.+$/,
  IdentityType: /^AssumedRoleUser$/,
  PrincipalId: /^\d+:.+$/,
  RoleId: /^\d+$/,
};
const CALLER_ACCOUNT: Schema = {
  RequestId: REQUEST_ID,
  AccountId: /^\d+$/,
  Arn: /^acs:ram::\d+:root$/,
  IdentityType: /^Account$/,
  PrincipalId: /^\d+$/,
  UserId: /^\d+$/,
};

// Reference §3 (DescribeInstances).
const INSTANCE: Schema = {
  InstanceId: 'string',
  InstanceName: 'string',
  HostName: 'string',
  Status: /^(Pending|Running|Starting|Stopping|Stopped)$/,
  RegionId: 'string',
  ZoneId: 'string',
  InstanceType: 'string',
  OSType: /^(linux|windows)$/,
  OSName: 'string',
  ResourceGroupId: 'string',
  CreationTime: ISO_MIN,
  Tags: TAGS,
  VpcAttributes: { VpcId: 'string', VSwitchId: 'string', PrivateIpAddress: { IpAddress: ['string'] } },
};
const PAGED = {
  RequestId: REQUEST_ID,
  TotalCount: 'number',
  PageNumber: 'number',
  PageSize: 'number',
  NextToken: 'string',
} as const;
const DESCRIBE_INSTANCES: Schema = { ...PAGED, Instances: { Instance: [INSTANCE] } };

// Reference §2.1-2.5 (Cloud Assistant).
const RUN_COMMAND: Schema = { RequestId: REQUEST_ID, CommandId: COMMAND_ID, InvokeId: INVOKE_ID };
const INSTANCE_STATUS =
  /^(Pending|Invalid|Aborted|Running|Success|Failed|Error|Timeout|Cancelled|Stopping|Terminated|Scheduled)$/;
const INVOKE_INSTANCE: Schema = {
  InstanceId: 'string',
  InvocationStatus: INSTANCE_STATUS,
  InstanceInvokeStatus: /^(Running|Finished|Failed|Stopped|Stopping)$/,
  ExitCode: 'number',
  Output: 'string',
  Dropped: 'number',
  ErrorCode: 'string',
  ErrorInfo: 'string',
  CreationTime: ISO_S,
  StartTime: ISO_S_OR_EMPTY,
  FinishTime: ISO_S_OR_EMPTY, // NB: FinishTime here, FinishedTime in DescribeInvocationResults
  StopTime: ISO_S_OR_EMPTY,
  UpdateTime: ISO_S,
  Repeats: 'number',
  Timed: 'boolean',
};
const INVOCATION: Schema = {
  InvokeId: INVOKE_ID,
  CommandId: COMMAND_ID,
  CommandName: 'string',
  CommandType: /^(RunShellScript|RunBatScript|RunPowerShellScript)$/,
  CommandContent: 'string',
  CommandDescription: 'string',
  Parameters: 'string',
  RepeatMode: 'string',
  Timed: 'boolean',
  Frequency: 'string',
  Timeout: 'number',
  WorkingDir: 'string',
  Username: 'string',
  CreationTime: ISO_S,
  Tags: TAGS,
  InvocationStatus: /^(Pending|Scheduled|Running|Stopping|Success|Failed|Stopped|PartialFailed)$/,
  InvokeStatus: /^(Running|Finished|Failed|Stopped)$/,
  InvokeInstances: { InvokeInstance: [INVOKE_INSTANCE] },
};
const DESCRIBE_INVOCATIONS: Schema = { ...PAGED, Invocations: { Invocation: [INVOCATION] } };
const INVOCATION_RESULT: Schema = {
  CommandId: COMMAND_ID,
  InvokeId: INVOKE_ID,
  InstanceId: 'string',
  InvocationStatus: INSTANCE_STATUS,
  InvokeRecordStatus: /^(Running|Finished|Failed|PartialFailed|Stopped|Stopping)$/,
  ExitCode: 'number',
  Output: 'string',
  Dropped: 'number',
  ErrorCode: 'string',
  ErrorInfo: 'string',
  StartTime: ISO_S_OR_EMPTY,
  FinishedTime: ISO_S_OR_EMPTY,
  StopTime: ISO_S_OR_EMPTY,
  Repeats: 'number',
  Username: 'string',
  Tags: TAGS,
};
const DESCRIBE_INVOCATION_RESULTS: Schema = {
  RequestId: REQUEST_ID,
  Invocation: {
    PageSize: 'number',
    PageNumber: 'number',
    TotalCount: 'number',
    NextToken: 'string',
    InvocationResults: { InvocationResult: [INVOCATION_RESULT] },
  },
};
const STOP_INVOCATION: Schema = { RequestId: REQUEST_ID };
const DESCRIBE_CLOUD_ASSISTANT_STATUS: Schema = {
  ...PAGED,
  InstanceCloudAssistantStatusSet: {
    InstanceCloudAssistantStatus: [
      {
        InstanceId: 'string',
        CloudAssistantStatus: /^(true|false)$/, // a STRING
        CloudAssistantVersion: 'string',
        OSType: /^(Linux|Windows|FreeBSD)$/, // capitalised here, lowercase in DescribeInstances
        LastHeartbeatTime: ISO_S,
        LastInvokedTime: ISO_S_OR_EMPTY,
        InvocationCount: 'number',
        ActiveTaskCount: 'number',
        SupportSessionManager: 'boolean',
      },
    ],
  },
};
const ERROR_BODY: Schema = {
  RequestId: REQUEST_ID,
  HostId: /^(sts|ecs)\.aliyuncs\.com$/,
  Code: 'string',
  Message: 'string',
  Recommend: /^https:\/\/api\.aliyun\.com\/troubleshoot\?q=/,
};

// ---- plumbing: capture the raw JSON the SDK received, then let it parse as usual --------------------------

interface Raw {
  body?: Record<string, unknown>;
}

/** Wraps client.callApi so the raw response body of the next call lands in `raw.body`. */
function capture<C extends Ecs | Sts>(client: C): { client: C; raw: Raw } {
  const raw: Raw = {};
  const target = client as unknown as { callApi: (...a: unknown[]) => Promise<{ body: Record<string, unknown> }> };
  const original = target.callApi.bind(client);
  target.callApi = async (...args: unknown[]) => {
    const r = await original(...args);
    raw.body = r.body;
    return r;
  };
  return { client, raw };
}

/** The wire body conforms to the reference, and the SDK's model carries every field of it (nothing lost). */
function check(raw: Raw, schema: Schema, parsed: { toMap(): Record<string, unknown> } | undefined): void {
  assert.ok(raw.body, 'a body was received');
  conforms(raw.body, schema);
  assert.ok(parsed, 'the SDK parsed the body');
  assert.deepEqual(parsed.toMap(), raw.body, 'the SDK model holds exactly the wire fields');
}

// ---- the world --------------------------------------------------------------------------------------------

function world(): Scenario {
  const s = loadScenario('examples/seed-world.json');
  const hub = s.accounts.find((a) => a.id === '123456')!;
  hub.rootKeys = [{ accessKeyId: 'LTAI-root-123456', accessKeySecret: 'root-secret' }];
  const member = s.accounts.find((a) => a.id === '654321')!;
  member.users = [
    { name: 'ops', accessKeyId: 'LTAI-ops', accessKeySecret: 'ops-secret', policies: ['AliyunECSFullAccess'] },
  ];
  const sh = member.regions![REGION]!;
  sh.instances![0]!.resourceGroupId = 'rg-web';
  sh.instances!.push({ id: 'i-sh-win-1', status: 'Running', osType: 'windows', tags: {} });
  return s;
}

let emu: EmulatorHandle;
let member: Creds;
before(async () => {
  emu = await startEmulator({ scenario: world(), port: 0 });
  member = await assumeChain(emu, WORKER, [HUB_ROLE, MEMBER_ROLE]);
});
after(async () => emu.close());

const ecs = () => capture(ecsClient(emu, member));

void describe('contract: STS', () => {
  void it('AssumeRole (plain AK, then chained with the STS session)', async () => {
    const sts = capture(stsClient(emu, WORKER));
    const hop1 = await sts.client.assumeRole(
      new $Sts.AssumeRoleRequest({ roleArn: HUB_ROLE, roleSessionName: 'contract', durationSeconds: 900 }),
    );
    check(sts.raw, ASSUME_ROLE, hop1.body);
    assert.equal(hop1.body!.assumedRoleUser!.arn, 'acs:ram::123456:role/oosservicerole/contract');
    const c = hop1.body!.credentials!;
    const hop2 = capture(
      stsClient(emu, {
        accessKeyId: c.accessKeyId!,
        accessKeySecret: c.accessKeySecret!,
        securityToken: c.securityToken!,
      }),
    );
    const r2 = await hop2.client.assumeRole(
      new $Sts.AssumeRoleRequest({ roleArn: MEMBER_ROLE, roleSessionName: 'chained', sourceIdentity: 'alice' }),
    );
    check(hop2.raw, ASSUME_ROLE, r2.body);
    assert.equal(r2.body!.sourceIdentity, 'alice');
  });

  void it('GetCallerIdentity: RAM user, assumed role, root account', async () => {
    const user = capture(stsClient(emu, WORKER));
    check(user.raw, CALLER_USER, (await user.client.getCallerIdentity()).body);
    const role = capture(stsClient(emu, member));
    const r = await role.client.getCallerIdentity();
    check(role.raw, CALLER_ROLE, r.body);
    assert.equal(r.body!.principalId, `${r.body!.roleId}:emulator-test`);
    const root = capture(stsClient(emu, { accessKeyId: 'LTAI-root-123456', accessKeySecret: 'root-secret' }));
    const a = await root.client.getCallerIdentity();
    check(root.raw, CALLER_ACCOUNT, a.body);
    assert.deepEqual([a.body!.accountId, a.body!.arn], ['123456', 'acs:ram::123456:root']);
  });
});

void describe('contract: ECS', () => {
  void it('DescribeInstances: 0, 1 and many instances, both paging styles', async () => {
    const { client, raw } = ecs();
    // MaxResults below 10 counts as 10 (reference §3): the 4 instances in one page, no NextToken.
    const many = await client.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, maxResults: 2 }));
    check(raw, DESCRIBE_INSTANCES, many.body);
    assert.deepEqual([many.body!.instances!.instance!.length, many.body!.nextToken], [4, '']);
    const page2 = await client.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, pageNumber: 2, pageSize: 3 }),
    );
    check(raw, DESCRIBE_INSTANCES, page2.body);
    assert.deepEqual(
      [page2.body!.totalCount, page2.body!.pageNumber, page2.body!.pageSize, page2.body!.instances!.instance!.length],
      [4, 2, 3, 1],
    );
    const one = await client.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: '["i-sh-web-1"]' }),
    );
    check(raw, DESCRIBE_INSTANCES, one.body);
    assert.deepEqual(raw.body!.Instances, {
      Instance: [(raw.body!.Instances as { Instance: unknown[] }).Instance[0]],
    });
    const inst = one.body!.instances!.instance![0]!;
    assert.deepEqual([inst.resourceGroupId, inst.tags!.tag!.length], ['rg-web', 1]);
    const none = await client.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, pageNumber: 1, pageSize: 10, status: 'Starting' }),
    );
    check(raw, DESCRIBE_INSTANCES, none.body);
    assert.deepEqual(raw.body!.Instances, { Instance: [] });
    assert.deepEqual([none.body!.totalCount, none.body!.pageNumber, none.body!.nextToken], [0, 1, '']);
  });

  void it('RunCommand, DescribeInvocations (FinishTime), DescribeInvocationResults (FinishedTime), StopInvocation', async () => {
    const { client, raw } = ecs();
    const run = await client.runCommand(
      new $Ecs.RunCommandRequest({
        regionId: REGION,
        type: 'RunShellScript',
        commandContent: 'echo {{who}}; sleep 0.2',
        instanceId: ['i-sh-web-1', 'i-sh-web-2', 'i-sh-batch-1'],
        enableParameter: true,
        parameters: { who: 'contract' },
        workingDir: '/tmp',
        username: 'admin',
        clientToken: 'contract-run-1',
        timeout: 30,
        name: 'contract',
      }),
    );
    check(raw, RUN_COMMAND, run.body);
    const invokeId = run.body!.invokeId!;

    // While running: Pending/Running states, empty finish times.
    const running = await client.describeInvocations(
      new $Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId, includeOutput: true }),
    );
    check(raw, DESCRIBE_INVOCATIONS, running.body);

    const done = await waitFor(async () => {
      const r = await client.describeInvocations(
        new $Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId, includeOutput: true }),
      );
      return r.body!.invocations!.invocation![0]!.invocationStatus === 'PartialFailed' ? r : undefined;
    });
    check(raw, DESCRIBE_INVOCATIONS, done.body);
    const inv = done.body!.invocations!.invocation![0]!;
    assert.deepEqual(
      [inv.invokeStatus, inv.workingDir, inv.username, inv.timeout, inv.commandName, inv.parameters],
      ['Failed', '/tmp', 'admin', 30, 'contract', '{"who":"contract"}'],
    );
    const byId = new Map(inv.invokeInstances!.invokeInstance!.map((i) => [i.instanceId!, i]));
    assert.match(byId.get('i-sh-web-1')!.finishTime!, ISO_S);
    assert.equal(Buffer.from(byId.get('i-sh-web-1')!.output!, 'base64').toString(), 'contract\n');
    assert.deepEqual(
      [
        byId.get('i-sh-batch-1')!.invocationStatus,
        byId.get('i-sh-batch-1')!.errorCode,
        byId.get('i-sh-batch-1')!.startTime,
      ],
      ['Aborted', 'InstanceNotRunning', ''],
    );

    const results = await client.describeInvocationResults(
      new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId, maxResults: 1 }),
    );
    check(raw, DESCRIBE_INVOCATION_RESULTS, results.body);
    const page = results.body!.invocation!;
    assert.deepEqual([page.totalCount, page.pageSize, page.invocationResults!.invocationResult!.length], [3, 1, 1]);
    assert.notEqual(page.nextToken, '');
    const all = await client.describeInvocationResults(
      new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId, contentEncoding: 'PlainText' }),
    );
    check(raw, DESCRIBE_INVOCATION_RESULTS, all.body);
    const web1 = all.body!.invocation!.invocationResults!.invocationResult!.find((r) => r.instanceId === 'i-sh-web-1')!;
    assert.deepEqual([web1.output, web1.username, web1.invokeRecordStatus], ['contract\n', 'admin', 'Finished']);
    assert.match(web1.finishedTime!, ISO_S);

    const stop = await client.stopInvocation(new $Ecs.StopInvocationRequest({ regionId: REGION, invokeId }));
    check(raw, STOP_INVOCATION, stop.body);
  });

  void it('DescribeCloudAssistantStatus: by id, and paged', async () => {
    const { client, raw } = ecs();
    const byId = await client.describeCloudAssistantStatus(
      new $Ecs.DescribeCloudAssistantStatusRequest({ regionId: REGION, instanceId: ['i-sh-web-1', 'i-sh-win-1'] }),
    );
    check(raw, DESCRIBE_CLOUD_ASSISTANT_STATUS, byId.body);
    assert.deepEqual(
      byId.body!.instanceCloudAssistantStatusSet!.instanceCloudAssistantStatus!.map((s) => [
        s.OSType,
        s.cloudAssistantStatus,
      ]),
      [
        ['Linux', 'true'],
        ['Windows', 'true'],
      ],
    );
    const paged = await client.describeCloudAssistantStatus(
      new $Ecs.DescribeCloudAssistantStatusRequest({ regionId: REGION, maxResults: 1 }),
    );
    check(raw, DESCRIBE_CLOUD_ASSISTANT_STATUS, paged.body);
    assert.equal(paged.body!.totalCount, 4);
    assert.notEqual(paged.body!.nextToken, '');
  });
});

void describe('contract: error bodies', () => {
  const cases: { name: string; call: () => Promise<unknown>; code: string; status: number; host: string }[] = [
    {
      name: 'wrong secret',
      call: () => stsClient(emu, { ...WORKER, accessKeySecret: 'nope' }).getCallerIdentity(),
      code: 'SignatureDoesNotMatch',
      status: 400,
      host: 'sts.aliyuncs.com',
    },
    {
      name: 'unknown key (V1 signature)',
      call: () =>
        ecsClient(
          emu,
          { accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' },
          { signatureAlgorithm: 'v2' },
        ).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION })),
      code: 'InvalidAccessKeyId.NotFound',
      status: 404,
      host: 'ecs.aliyuncs.com',
    },
    {
      name: 'a token nobody issued',
      call: () => stsClient(emu, { ...member, securityToken: 'CAISforged' }).getCallerIdentity(),
      code: 'InvalidSecurityToken.Malformed',
      status: 400,
      host: 'sts.aliyuncs.com',
    },
    {
      name: 'date 16 min in the future',
      call: () =>
        stsClient(emu, WORKER, {
          headers: { 'x-acs-date': new Date(Date.now() + 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
        }).getCallerIdentity(),
      code: 'InvalidTimeStamp.Expired',
      status: 400,
      host: 'sts.aliyuncs.com',
    },
    {
      name: 'a root account assumes a role',
      call: () =>
        stsClient(emu, { accessKeyId: 'LTAI-root-123456', accessKeySecret: 'root-secret' }).assumeRole(
          new $Sts.AssumeRoleRequest({ roleArn: HUB_ROLE, roleSessionName: 'root-try' }),
        ),
      code: 'NoPermission',
      status: 403,
      host: 'sts.aliyuncs.com',
    },
    {
      name: 'RunCommand on an unknown instance',
      call: () =>
        ecsClient(emu, member).runCommand(
          new $Ecs.RunCommandRequest({
            regionId: REGION,
            type: 'RunShellScript',
            commandContent: 'true',
            instanceId: ['i-x'],
          }),
        ),
      code: 'InvalidInstance.NotFound',
      status: 404,
      host: 'ecs.aliyuncs.com',
    },
  ];
  for (const c of cases) {
    void it(`${c.name} → ${c.status} ${c.code}, {RequestId, HostId, Code, Message, Recommend}`, async () => {
      const e = (await c.call().then(
        () => assert.fail('should fail'),
        (x: unknown) => x,
      )) as { code?: string; statusCode?: number; data?: Record<string, unknown> };
      assert.equal(e.code, c.code);
      assert.equal(e.statusCode, c.status);
      conforms(e.data, ERROR_BODY);
      assert.equal(e.data!.HostId, c.host);
      assert.equal(e.data!.Code, c.code);
    });
  }
});
