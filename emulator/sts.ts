// STS 2015-04-01: AssumeRole (trust policy evaluated exactly as written) and GetCallerIdentity.
import { randomBytes } from 'node:crypto';
import type { CallContext, EmulatorState, Handler } from './context';
import { err } from './errors';
import type { Identity, PolicyDocument, StsSession } from './model';
import { isAllowed, parsePolicyDocument } from './policies';
import type { TrustStatement } from './scenario';
import { isoSeconds } from './time';

const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9.\-_]{1,64})$/i;
const SESSION_NAME = /^[\w.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;

const noPermission = (detail?: string): ReturnType<typeof err> =>
  err(
    403,
    'NoPermission',
    `You are not authorized to do this action. You should be authorized by RAM.${detail ? ` ${detail}` : ''}`,
  );

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether one `Principal.RAM` entry designates the caller. */
function ramPrincipalMatches(entry: string, caller: Identity): boolean {
  const m = /^acs:ram::(\d+):(root|user\/(.+)|role\/(.+))$/i.exec(entry.trim());
  if (!m || m[1] !== caller.accountId) return false;
  if (m[2]?.toLowerCase() === 'root') return true; // any user or role of that account
  if (m[3] !== undefined) return caller.type === 'RAMUser' && caller.userName.toLowerCase() === m[3].toLowerCase();
  if (m[4] !== undefined) {
    return caller.type === 'AssumedRoleUser' && caller.roleName.toLowerCase() === m[4].toLowerCase();
  }
  return false;
}

function conditionHolds(cond: TrustStatement['Condition'], externalId: string | undefined): boolean {
  if (!cond) return true;
  for (const [operator, entries] of Object.entries(cond)) {
    for (const [key, expected] of Object.entries(entries)) {
      // Only sts:ExternalId with StringEquals is understood; anything else fails closed.
      if (operator !== 'StringEquals' || key.toLowerCase() !== 'sts:externalid') return false;
      if (externalId === undefined || !asList(expected).includes(externalId)) return false;
    }
  }
  return true;
}

function statementMatches(s: TrustStatement, caller: Identity, externalId: string | undefined): boolean {
  const actionOk = asList(s.Action).some((a) => ['sts:assumerole', 'sts:*', '*'].includes(a.toLowerCase()));
  // Principal.Service (e.g. oos.aliyuncs.com) names a cloud service, never a RAM user or role caller.
  const principalOk = asList(s.Principal.RAM).some((e) => ramPrincipalMatches(e, caller));
  return actionOk && principalOk && conditionHolds(s.Condition, externalId);
}

function trusts(statements: TrustStatement[], caller: Identity, externalId: string | undefined): boolean {
  if (statements.some((s) => s.Effect === 'Deny' && statementMatches(s, caller, externalId))) return false;
  return statements.some((s) => s.Effect === 'Allow' && statementMatches(s, caller, externalId));
}

const assumeRole: Handler = (state: EmulatorState, ctx: CallContext) => {
  const p = ctx.params;
  const caller = ctx.identity;
  const roleArn = p.required('RoleArn');
  const arn = ROLE_ARN.exec(roleArn);
  if (!arn) throw err(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.');
  const sessionName = p.required('RoleSessionName');
  if (!SESSION_NAME.test(sessionName)) {
    throw err(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
  }
  const externalId = p.str('ExternalId');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw err(400, 'InvalidParameter.ExternalId', 'The parameter ExternalId is wrongly formed.');
  }
  const sourceIdentity = p.str('SourceIdentity');
  if (
    sourceIdentity !== undefined &&
    (!SOURCE_IDENTITY.test(sourceIdentity) || /^(acs|aliyun|alibabacloud):/i.test(sourceIdentity))
  ) {
    throw err(400, 'InvalidParameter.SourceIdentity', 'The parameter SourceIdentity is wrongly formed.');
  }
  let sessionPolicy: PolicyDocument | undefined;
  const policyText = p.str('Policy');
  if (policyText !== undefined) {
    if (Buffer.byteLength(policyText) > 2048) {
      throw err(400, 'InvalidParameter.PolicySize', 'The size of Policy must be smaller than 2048 bytes.');
    }
    sessionPolicy = parsePolicyDocument(policyText);
    if (!sessionPolicy)
      throw err(400, 'InvalidParameter.PolicyGrammar', 'The parameter Policy has not passed grammar check.');
  }
  if (caller.type === 'Account') {
    throw err(403, 'NoPermission', 'Roles may not be assumed by root accounts.');
  }
  if (!isAllowed(caller, 'sts:AssumeRole')) throw noPermission();

  const [, accountId = '', roleName = ''] = arn;
  const role = state.world.accounts.get(accountId)?.roles.get(roleName.toLowerCase());
  if (!role) throw err(404, 'EntityNotExist.Role', 'The specified Role not exists .');
  if (!trusts(role.trustPolicy.Statement, caller, externalId)) {
    throw noPermission(`The trust policy of role ${roleArn} does not trust the caller ${caller.arn}.`);
  }

  // A session assumed with STS credentials (role chaining) is capped at one hour.
  const maxDuration = caller.type === 'AssumedRoleUser' ? 3600 : (role.maxSessionDuration ?? 3600);
  const duration = p.int('DurationSeconds', {
    min: 900,
    max: maxDuration,
    invalid: err(400, 'InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is 15min/1hr.'),
  });
  const lifetime = state.faults.get().stsDurationSeconds ?? duration ?? 3600;
  const expiresAt = Math.floor(ctx.now / 1000) * 1000 + lifetime * 1000;

  const lower = role.name.toLowerCase();
  const session: StsSession = {
    accessKeyId: `STS.${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`,
    accessKeySecret: randomBytes(30).toString('base64url'),
    securityToken: `CAIS${randomBytes(96).toString('base64')}`,
    expiresAt,
    identity: {
      type: 'AssumedRoleUser',
      accountId,
      arn: `acs:ram::${accountId}:assumed-role/${lower}/${sessionName}`,
      roleName: role.name,
      roleId: role.roleId,
      sessionName,
      policies: role.policies,
      sessionPolicy,
    },
  };
  state.world.sessions.set(session.accessKeyId, session);
  const body: Record<string, unknown> = {
    RequestId: ctx.requestId,
    AssumedRoleUser: {
      Arn: `acs:ram::${accountId}:role/${lower}/${sessionName}`,
      AssumedRoleId: `${role.roleId}:${sessionName}`,
    },
    Credentials: {
      AccessKeyId: session.accessKeyId,
      AccessKeySecret: session.accessKeySecret,
      SecurityToken: session.securityToken,
      Expiration: isoSeconds(expiresAt),
    },
  };
  if (sourceIdentity !== undefined) body.SourceIdentity = sourceIdentity;
  return body;
};

const getCallerIdentity: Handler = (_state, ctx) => {
  const id = ctx.identity;
  if (id.type === 'Account') {
    return {
      RequestId: ctx.requestId,
      AccountId: id.accountId,
      Arn: id.arn,
      IdentityType: 'Account',
      PrincipalId: id.accountId,
      UserId: id.accountId,
    };
  }
  if (id.type === 'RAMUser') {
    return {
      RequestId: ctx.requestId,
      AccountId: id.accountId,
      Arn: id.arn,
      IdentityType: 'RAMUser',
      PrincipalId: id.userId,
      UserId: id.userId,
    };
  }
  return {
    RequestId: ctx.requestId,
    AccountId: id.accountId,
    Arn: id.arn,
    IdentityType: 'AssumedRoleUser',
    PrincipalId: `${id.roleId}:${id.sessionName}`,
    RoleId: id.roleId,
  };
};

export const STS_HANDLERS: Record<string, Handler> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
