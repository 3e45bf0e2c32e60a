// STS AssumeRole chaining with a per-worker cache. Credentials stay in this process: activities take a
// role chain and get keys from here; nothing returned to a workflow ever carries a key.
import * as $Sts from '@alicloud/sts20150401';
import { ApplicationFailure } from '@temporalio/common';
import { ROLE_CHAIN_DENIED } from '../contract/errors';
import { parseRoleChain, roleArn } from '../contract/roleChain';
import { stsClient, type AccessKey } from './cloudClients';
import type { CloudConfig } from './cloudConfig';
import { callCloud } from './cloudErrors';

/** The worker's own identity: env AK/SK, profile, ECS RAM role or OIDC (the @alicloud/credentials chain). */
export type BaseCredentials = () => Promise<AccessKey>;

export interface ChainIdentity {
  key: AccessKey;
  /** Account the chain ends in (the account whose resources these keys reach). */
  accountId: string;
  /** ARN of the final identity (a session ARN after a hop), for messages and audit. */
  arn: string;
  /** ARN to name in a trust policy to trust this identity: the user, or the role (not its session). */
  principalArn: string;
  /** Epoch ms when the keys expire (Infinity for long-lived keys). */
  expiresAt: number;
  /** Epoch ms when they were asked for: expiresAt - obtainedAt is the lifetime STS actually granted. */
  obtainedAt: number;
}

/** STS's DurationSeconds range: 900 s minimum; a hop made with STS credentials (role chaining) 3600 s at most. */
export const STS_MIN_DURATION_SECONDS = 900;
export const STS_MAX_DURATION_SECONDS = 43_200;
export const STS_CHAINED_MAX_DURATION_SECONDS = 3600;

/** Uses the @alicloud/credentials default chain, as the README documents. */
export function defaultBaseCredentials(): BaseCredentials {
  // Loaded lazily so that tests with injected keys never read the machine's profile files.
  let client: { getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }> };
  return async () => {
    if (!client) {
      const { default: Credential } = await import('@alicloud/credentials');
      client = new Credential();
    }
    const c = await client.getCredential();
    if (!c.accessKeyId || !c.accessKeySecret) {
      throw ApplicationFailure.nonRetryable('the worker has no Alibaba Cloud credentials', 'MissingCredentials');
    }
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
  };
}

export class RoleChainCredentials {
  private readonly cache = new Map<string, Promise<ChainIdentity>>();

  constructor(
    private readonly base: BaseCredentials,
    private readonly cloud: CloudConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Keys for a chain, from the cache while they have a comfortable margin left, else by assuming each hop
   * again. Concurrent callers share one in-flight resolution per chain.
   */
  async get(chain: string): Promise<ChainIdentity> {
    const cached = this.cache.get(chain);
    if (cached) {
      const identity = await cached.catch(() => undefined);
      if (identity && !this.needsRefresh(identity)) return identity;
      if (this.cache.get(chain) !== cached) return this.get(chain); // someone else is refreshing
    }
    const fresh = this.resolve(chain);
    this.cache.set(chain, fresh);
    fresh.catch(() => {
      if (this.cache.get(chain) === fresh) this.cache.delete(chain);
    });
    return fresh;
  }

  /** Drops a chain's keys, e.g. after the cloud said the token expired. */
  invalidate(chain: string): void {
    this.cache.delete(chain);
  }

  private needsRefresh(identity: ChainIdentity): boolean {
    if (!Number.isFinite(identity.expiresAt)) return false;
    const left = identity.expiresAt - this.now();
    // Refresh with 5 minutes or a fifth of the lifetime STS granted left, whichever is less. The granted
    // lifetime, not the one asked for: STS may grant less (a role's MaxSessionDuration, a short test
    // lifetime), and measuring against the asked one would re-assume the chain on every call.
    const lifetime = identity.expiresAt - identity.obtainedAt;
    const margin = Math.min(5 * 60_000, lifetime / 5);
    return left <= margin;
  }

  private async resolve(chain: string): Promise<ChainIdentity> {
    const hops = parseRoleChain(chain);
    const key = await this.base();
    let identity: ChainIdentity = {
      key,
      accountId: '',
      arn: '',
      principalArn: '',
      expiresAt: Infinity,
      obtainedAt: this.now(),
    };
    if (hops.length === 0 || hops[0]!.accountId === undefined) {
      const me = await this.whoAmI(key);
      identity = { ...identity, ...me, principalArn: me.arn };
    }
    for (const hop of hops) {
      const arn = roleArn(hop, identity.accountId);
      identity = await this.assumeRole(identity, arn, chain);
    }
    return identity;
  }

  private async whoAmI(key: AccessKey): Promise<{ accountId: string; arn: string }> {
    const res = await callCloud('STS GetCallerIdentity', () => stsClient(key, this.cloud).getCallerIdentity());
    return { accountId: res.body?.accountId ?? '', arn: res.body?.arn ?? '' };
  }

  private async assumeRole(from: ChainIdentity, arn: string, chain: string): Promise<ChainIdentity> {
    const request = new $Sts.AssumeRoleRequest({
      roleArn: arn,
      roleSessionName: this.cloud.roleSessionName,
      // STS accepts 900 s and up; it caps a hop made by an STS session at one hour.
      durationSeconds: Math.max(
        STS_MIN_DURATION_SECONDS,
        Math.min(
          from.key.securityToken ? STS_CHAINED_MAX_DURATION_SECONDS : STS_MAX_DURATION_SECONDS,
          this.cloud.stsDurationSeconds,
        ),
      ),
    });
    const requestedAt = this.now();
    let res: $Sts.AssumeRoleResponse;
    try {
      res = await callCloud(`STS AssumeRole ${arn}`, () => stsClient(from.key, this.cloud).assumeRole(request));
    } catch (err) {
      // Passing faults outlived the in-activity retries: let Temporal retry the activity.
      if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
      const code = (err.details?.[0] as { code?: string } | undefined)?.code ?? '';
      throw ApplicationFailure.create({
        type: ROLE_CHAIN_DENIED,
        nonRetryable: true,
        message: deniedMessage(arn, from, chain, code, err.message),
        details: [{ roleArn: arn, caller: from.arn, chain, code }],
      });
    }
    const c = res.body?.credentials;
    if (!c?.accessKeyId || !c.accessKeySecret || !c.securityToken) {
      throw new Error(`STS AssumeRole ${arn} returned no credentials`);
    }
    const expires = Date.parse(c.expiration ?? '');
    const accountId = /^acs:ram::(\d+):role\//.exec(arn)![1]!;
    return {
      key: { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken },
      accountId,
      arn: res.body?.assumedRoleUser?.arn ?? arn,
      principalArn: arn,
      expiresAt: Number.isFinite(expires) ? expires : requestedAt + request.durationSeconds! * 1000,
      obtainedAt: requestedAt,
    };
  }
}

function deniedMessage(arn: string, from: ChainIdentity, chain: string, code: string, detail: string): string {
  const account = /^acs:ram::(\d+):/.exec(arn)?.[1] ?? '?';
  const caller = from.principalArn || from.arn || 'the worker identity';
  const fix =
    code === 'EntityNotExist.Role'
      ? `create the role in account ${account}, or fix the role name in the chain`
      : code === 'NoPermission' || code.startsWith('Forbidden')
        ? `add "acs:ram::${from.accountId || '<caller account>'}:root" (or "${caller}") to Principal.RAM in the trust policy of ${arn}, and grant the caller AliyunSTSAssumeRoleAccess`
        : 'check the role chain and the trust policies along it';
  return `cannot assume ${arn} as ${caller} (chain "${chain}"): ${detail}. To fix: ${fix}.`;
}
