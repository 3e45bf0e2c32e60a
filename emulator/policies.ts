// Permission checks. Scenario policies are RAM system policy names (mapped to the actions they grant);
// an entry that looks like an action pattern ("ecs:RunCommand", "ecs:Describe*") grants that pattern.
import type { Identity, PolicyDocument } from './model';

const SYSTEM_POLICIES: Record<string, string[]> = {
  AdministratorAccess: ['*'],
  AliyunSTSAssumeRoleAccess: ['sts:AssumeRole'],
  AliyunECSFullAccess: ['ecs:*'],
  AliyunECSReadOnlyAccess: ['ecs:Describe*'],
  AliyunECSAssistantFullAccess: [
    'ecs:RunCommand',
    'ecs:InvokeCommand',
    'ecs:StopInvocation',
    'ecs:DescribeInvocations',
    'ecs:DescribeInvocationResults',
    'ecs:DescribeCloudAssistantStatus',
    'ecs:DescribeInstances',
  ],
  AliyunECSAssistantReadonlyAccess: [
    'ecs:DescribeInvocations',
    'ecs:DescribeInvocationResults',
    'ecs:DescribeCloudAssistantStatus',
  ],
};

function matches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`, 'i');
  return re.test(action);
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function grants(policy: string, action: string): boolean {
  const patterns = SYSTEM_POLICIES[policy] ?? (policy.includes(':') || policy === '*' ? [policy] : []);
  return patterns.some((p) => matches(p, action));
}

function documentAllows(doc: PolicyDocument, action: string): boolean {
  const hit = (s: PolicyDocument['Statement'][number]): boolean =>
    (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => matches(a, action));
  if (doc.Statement.some((s) => s.Effect === 'Deny' && hit(s))) return false;
  return doc.Statement.some((s) => s.Effect === 'Allow' && hit(s));
}

/** Whether `identity` may call `action` (e.g. "ecs:RunCommand"). */
export function isAllowed(identity: Identity, action: string): boolean {
  if (!identity.policies.some((p) => grants(p, action))) return false;
  if (identity.type === 'AssumedRoleUser' && identity.sessionPolicy) {
    return documentAllows(identity.sessionPolicy, action);
  }
  return true;
}

/** Parses an AssumeRole `Policy` parameter; returns undefined when its grammar is wrong. */
export function parsePolicyDocument(text: string): PolicyDocument | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const st = (raw as { Statement?: unknown }).Statement;
  if (!Array.isArray(st)) return undefined;
  for (const s of st) {
    if (typeof s !== 'object' || s === null) return undefined;
    const { Effect, Action } = s as { Effect?: unknown; Action?: unknown };
    if (Effect !== 'Allow' && Effect !== 'Deny') return undefined;
    if (typeof Action !== 'string' && !(Array.isArray(Action) && Action.every((a) => typeof a === 'string'))) {
      return undefined;
    }
  }
  return raw as PolicyDocument;
}
