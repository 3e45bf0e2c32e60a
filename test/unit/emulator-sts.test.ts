// Contract tests: the REAL @alicloud STS/ECS SDK clients against the emulator — identity, signatures, STS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Sts from '@alicloud/sts20150401';
import * as $Ecs from '@alicloud/ecs20140526';
import { loadScenario, type Scenario } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';
import { assumeChain, ecsClient, stsClient, type Creds } from '../../emulator/testkit';

const WORKER: Creds = { accessKeyId: 'LTAI5tSeedWorkerKey0001', accessKeySecret: 'SeedWorkerSecret0000000000000001' };
const HUB_ROLE = 'acs:ram::123456:role/OOSServiceRole';
const MEMBER_ROLE = 'acs:ram::654321:role/OOSServiceRole';

/** The seed world plus a few principals to exercise trust-policy edge cases. */
function world(): Scenario {
  const s = loadScenario('examples/seed-world.json');
  const hub = s.accounts.find((a) => a.id === '123456')!;
  hub.users!.push(
    { name: 'nopolicy', accessKeyId: 'LTAI-nopolicy', accessKeySecret: 'secret-nopolicy', policies: [] },
    {
      name: 'alice',
      accessKeyId: 'LTAI-alice',
      accessKeySecret: 'secret-alice',
      policies: ['AliyunSTSAssumeRoleAccess'],
    },
  );
  hub.roles!.push(
    {
      name: 'OnlyServiceRole',
      trustPolicy: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['oos.aliyuncs.com'] } }],
        Version: '1',
      },
      policies: ['AliyunECSFullAccess'],
    },
    {
      name: 'AliceOnly',
      trustPolicy: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: ['acs:ram::123456:user/alice'] } }],
        Version: '1',
      },
      policies: [],
      maxSessionDuration: 7200,
    },
    {
      name: 'ExternalIdRole',
      trustPolicy: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { RAM: ['acs:ram::123456:root'] },
            Condition: { StringEquals: { 'sts:ExternalId': 'abc-123' } },
          },
        ],
        Version: '1',
      },
      policies: [],
    },
  );
  return s;
}

async function rejects(p: Promise<unknown>, code: string, status: number): Promise<Error & { data?: unknown }> {
  try {
    await p;
  } catch (e) {
    const x = e as Error & { code?: string; statusCode?: number; data?: Record<string, unknown> };
    assert.equal(x.code, code, x.message);
    assert.equal(x.statusCode, status, x.message);
    assert.ok(x.data && typeof x.data.RequestId === 'string' && x.data.HostId && x.data.Recommend, 'error body shape');
    return x;
  }
  assert.fail(`expected ${code}`);
}

const assume = (creds: Creds, roleArn: string, extra: Partial<$Sts.AssumeRoleRequest> = {}) =>
  stsClient(emu, creds).assumeRole(new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: 'test-session', ...extra }));

let emu: EmulatorHandle;
before(async () => {
  emu = await startEmulator({ scenario: world(), port: 0 });
});
after(async () => {
  await emu.close();
});

void describe('emulator STS', () => {
  void it('AssumeRole chain of the seed world: worker → 123456/OOSServiceRole → 654321/OOSServiceRole', async () => {
    const hop1 = await assume(WORKER, HUB_ROLE, { durationSeconds: 3600 });
    assert.equal(hop1.statusCode, 200);
    const b = hop1.body!;
    assert.match(b.requestId!, /^[0-9A-F-]{36}$/);
    assert.match(b.credentials!.accessKeyId!, /^STS\./);
    assert.match(b.credentials!.expiration!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const ttl = Date.parse(b.credentials!.expiration!) - Date.now();
    assert.ok(ttl > 3590_000 && ttl <= 3600_000, `ttl ${ttl}`);
    assert.equal(b.assumedRoleUser!.arn, 'acs:ram::123456:role/oosservicerole/test-session');
    assert.match(b.assumedRoleUser!.assumedRoleId!, /^\d+:test-session$/);

    const member = await assumeChain(emu, WORKER, [HUB_ROLE, MEMBER_ROLE]);
    const who = await stsClient(emu, member).getCallerIdentity();
    assert.equal(who.body!.accountId, '654321');
    assert.equal(who.body!.identityType, 'AssumedRoleUser');
    assert.equal(who.body!.arn, 'acs:ram::654321:assumed-role/oosservicerole/emulator-test');
    assert.ok(who.body!.roleId);

    // The member-account role holds AliyunECSFullAccess: ECS calls in 654321 work.
    const inst = await ecsClient(emu, member).describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: 'cn-shanghai' }),
    );
    assert.equal(inst.body!.totalCount, 3);
  });

  void it('GetCallerIdentity for a RAM user', async () => {
    const who = await stsClient(emu, WORKER).getCallerIdentity();
    assert.equal(who.body!.accountId, '123456');
    assert.equal(who.body!.arn, 'acs:ram::123456:user/worker');
    assert.equal(who.body!.identityType, 'RAMUser');
    assert.equal(who.body!.userId, who.body!.principalId);
  });

  void it('role names in the ARN match case-insensitively', async () => {
    const r = await assume(WORKER, 'acs:ram::123456:role/oosservicerole');
    assert.equal(r.body!.assumedRoleUser!.arn, 'acs:ram::123456:role/oosservicerole/test-session');
  });

  void it('refuses a role whose trust policy does not name the caller (NoPermission 403)', async () => {
    // The seed's member role trusts acs:ram::123456:root, so the worker user may assume it directly, but
    // a Service-only principal trusts no RAM caller at all.
    const e = await rejects(assume(WORKER, 'acs:ram::123456:role/OnlyServiceRole'), 'NoPermission', 403);
    assert.match(e.message, /does not trust the caller acs:ram::123456:user\/worker/);
    await rejects(assume(WORKER, 'acs:ram::123456:role/AliceOnly'), 'NoPermission', 403);
    const ok = await assume(
      { accessKeyId: 'LTAI-alice', accessKeySecret: 'secret-alice' },
      'acs:ram::123456:role/AliceOnly',
    );
    assert.equal(ok.statusCode, 200);
  });

  void it('refuses a caller without AliyunSTSAssumeRoleAccess (NoPermission 403)', async () => {
    await rejects(
      assume({ accessKeyId: 'LTAI-nopolicy', accessKeySecret: 'secret-nopolicy' }, HUB_ROLE),
      'NoPermission',
      403,
    );
    // The member role holds only AliyunECSFullAccess, so it cannot chain further.
    const member = await assumeChain(emu, WORKER, [HUB_ROLE, MEMBER_ROLE]);
    await rejects(assume(member, HUB_ROLE), 'NoPermission', 403);
  });

  void it('unknown role or account → EntityNotExist.Role 404; malformed ARN → InvalidParameter.RoleArn', async () => {
    await rejects(assume(WORKER, 'acs:ram::123456:role/NoSuchRole'), 'EntityNotExist.Role', 404);
    await rejects(assume(WORKER, 'acs:ram::999999:role/OOSServiceRole'), 'EntityNotExist.Role', 404);
    await rejects(assume(WORKER, 'arn:aws:iam::1:role/x'), 'InvalidParameter.RoleArn', 400);
    await rejects(assume(WORKER, HUB_ROLE, { roleSessionName: 'a' }), 'InvalidParameter.RoleSessionName', 400);
    await rejects(assume(WORKER, HUB_ROLE, { roleSessionName: 'bad name' }), 'InvalidParameter.RoleSessionName', 400);
  });

  void it('DurationSeconds: 900..role max; chained sessions capped at 3600', async () => {
    await rejects(assume(WORKER, HUB_ROLE, { durationSeconds: 899 }), 'InvalidParameter.DurationSeconds', 400);
    await rejects(assume(WORKER, HUB_ROLE, { durationSeconds: 3601 }), 'InvalidParameter.DurationSeconds', 400);
    const alice: Creds = { accessKeyId: 'LTAI-alice', accessKeySecret: 'secret-alice' };
    const long = await assume(alice, 'acs:ram::123456:role/AliceOnly', { durationSeconds: 7200 });
    const ttl = Date.parse(long.body!.credentials!.expiration!) - Date.now();
    assert.ok(ttl > 7190_000 && ttl <= 7200_000);
    const hub = await assumeChain(emu, WORKER, [HUB_ROLE]);
    await rejects(assume(hub, MEMBER_ROLE, { durationSeconds: 3601 }), 'InvalidParameter.DurationSeconds', 400);
  });

  void it('Condition StringEquals sts:ExternalId', async () => {
    const role = 'acs:ram::123456:role/ExternalIdRole';
    await rejects(assume(WORKER, role), 'NoPermission', 403);
    await rejects(assume(WORKER, role, { externalId: 'wrong-id' }), 'NoPermission', 403);
    assert.equal((await assume(WORKER, role, { externalId: 'abc-123' })).statusCode, 200);
  });

  void it('session Policy narrows the role: ECS denied when the policy does not allow it', async () => {
    const hub = await assumeChain(emu, WORKER, [HUB_ROLE]);
    const policy = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }],
    });
    const r = await assume(hub, MEMBER_ROLE, { policy });
    const c = r.body!.credentials!;
    const ecs = ecsClient(emu, {
      accessKeyId: c.accessKeyId!,
      accessKeySecret: c.accessKeySecret!,
      securityToken: c.securityToken!,
    });
    await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-shanghai' }));
    await rejects(
      ecs.runCommand(
        new $Ecs.RunCommandRequest({
          regionId: 'cn-shanghai',
          type: 'RunShellScript',
          commandContent: 'true',
          instanceId: ['i-sh-web-1'],
        }),
      ),
      'Forbidden.RAM',
      403,
    );
    await rejects(assume(hub, MEMBER_ROLE, { policy: '{not json' }), 'InvalidParameter.PolicyGrammar', 400);
  });

  void it('ECS refuses a caller without ECS permission (Forbidden.RAM 403)', async () => {
    await rejects(
      ecsClient(emu, WORKER).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-shanghai' })),
      'Forbidden.RAM',
      403,
    );
  });

  void it('wrong secret → SignatureDoesNotMatch; unknown key → InvalidAccessKeyId.NotFound', async () => {
    await rejects(
      stsClient(emu, { ...WORKER, accessKeySecret: 'wrong' }).getCallerIdentity(),
      'SignatureDoesNotMatch',
      400,
    );
    await rejects(
      stsClient(emu, { accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' }).getCallerIdentity(),
      'InvalidAccessKeyId.NotFound',
      404,
    );
    await rejects(
      stsClient(emu, { ...WORKER, accessKeySecret: 'wrong' }, { signatureAlgorithm: 'v2' }).getCallerIdentity(),
      'SignatureDoesNotMatch',
      400,
    );
  });

  void it('STS key without token → MissingSecurityToken; foreign token → MismatchWithAccessKey', async () => {
    const a = await assumeChain(emu, WORKER, [HUB_ROLE]);
    const b = await assumeChain(emu, WORKER, [HUB_ROLE]);
    await rejects(
      stsClient(emu, { accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret }).getCallerIdentity(),
      'MissingSecurityToken',
      400,
    );
    await rejects(
      stsClient(emu, { ...a, securityToken: b.securityToken! }).getCallerIdentity(),
      'InvalidSecurityToken.MismatchWithAccessKey',
      400,
    );
  });

  void it('V1 HMAC-SHA1 signatures (signatureAlgorithm v2) are accepted, with and without STS token', async () => {
    const who = await stsClient(emu, WORKER, { signatureAlgorithm: 'v2' }).getCallerIdentity();
    assert.equal(who.body!.arn, 'acs:ram::123456:user/worker');
    const member = await assumeChain(emu, WORKER, [HUB_ROLE, MEMBER_ROLE]);
    const ecs = ecsClient(emu, member, { signatureAlgorithm: 'v2' });
    const r = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: 'cn-shanghai',
        instanceIds: JSON.stringify(['i-sh-web-1', "i-odd-'(*)!"]),
      }),
    );
    assert.deepEqual(
      r.body!.instances!.instance!.map((i) => i.instanceId),
      ['i-sh-web-1'],
    );
  });

  void it('reused nonce → SignatureNonceUsed; stale x-acs-date → InvalidTimeStamp.Expired', async () => {
    const fixed = stsClient(emu, WORKER, { headers: { 'x-acs-signature-nonce': 'fixed-nonce-0001' } });
    await fixed.getCallerIdentity();
    await rejects(fixed.getCallerIdentity(), 'SignatureNonceUsed', 400);
    const stale = new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await rejects(
      stsClient(emu, WORKER, { headers: { 'x-acs-date': stale } }).getCallerIdentity(),
      'InvalidTimeStamp.Expired',
      400,
    );
  });

  void it('expired STS token → InvalidSecurityToken.Expired (faults.stsDurationSeconds = 1)', async () => {
    emu.setFaults({ stsDurationSeconds: 1 });
    try {
      const hub = await assumeChain(emu, WORKER, [HUB_ROLE]);
      await stsClient(emu, hub).getCallerIdentity(); // still valid
      await new Promise((r) => setTimeout(r, 2100));
      await rejects(stsClient(emu, hub).getCallerIdentity(), 'InvalidSecurityToken.Expired', 400);
    } finally {
      emu.setFaults({ stsDurationSeconds: undefined });
    }
  });

  void it('audits every call with caller ARN and status', async () => {
    emu.resetAudit();
    await stsClient(emu, WORKER).getCallerIdentity();
    await stsClient(emu, { ...WORKER, accessKeySecret: 'bad' })
      .getCallerIdentity()
      .catch(() => undefined);
    const { calls } = emu.audit();
    assert.equal(calls.length, 2);
    assert.deepEqual(
      calls.map((c) => [c.action, c.accountId, c.caller, c.httpStatus, c.errorCode]),
      [
        ['GetCallerIdentity', '123456', 'acs:ram::123456:user/worker', 200, null],
        ['GetCallerIdentity', null, null, 400, 'SignatureDoesNotMatch'],
      ],
    );
    const res = await fetch(`${emu.url}/_emulator/audit`);
    assert.equal(((await res.json()) as { calls: unknown[] }).calls.length, 2);
    assert.deepEqual(await (await fetch(`${emu.url}/_emulator/health`)).json(), { ok: true });
  });
});
