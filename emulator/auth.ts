// Authentication: access key lookup (RAM user keys from the scenario, STS keys issued by AssumeRole),
// security-token checks, signature, clock skew and nonce replay, in that order.
import { err } from './errors';
import type { Identity } from './model';
import type { ParsedAuth } from './signature';
import { numericId, type World } from './world';

/** Allowed clock skew between x-acs-date / Timestamp and the server (commonly 15 min). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** Remembers nonces for the skew window so a replayed request is refused. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private lastPrune = 0;

  /** Returns false if the nonce was already used within the window. */
  remember(nonce: string, now: number): boolean {
    if (now - this.lastPrune > 60_000) {
      for (const [n, t] of this.seen) if (now - t > 2 * MAX_SKEW_MS) this.seen.delete(n);
      this.lastPrune = now;
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now);
    return true;
  }
}

export function userIdentity(accountId: string, userName: string, policies: string[]): Identity {
  return {
    type: 'RAMUser',
    accountId,
    arn: `acs:ram::${accountId}:user/${userName}`,
    userName,
    userId: numericId(accountId, 'user', userName),
    policies,
  };
}

export function rootIdentity(accountId: string): Identity {
  return { type: 'Account', accountId, arn: `acs:ram::${accountId}:root`, policies: ['*'] };
}

export function authenticate(world: World, auth: ParsedAuth, nonces: NonceCache, now: number): Identity {
  if (Math.abs(now - auth.timestamp) > MAX_SKEW_MS) {
    throw err(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
  let identity: Identity;
  let secret: string;
  if (auth.accessKeyId.startsWith('STS.')) {
    const session = world.sessions.get(auth.accessKeyId);
    if (!session) throw err(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (!auth.securityToken) {
      throw err(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.');
    }
    if (auth.securityToken !== session.securityToken) {
      const owner = [...world.sessions.values()].some((s) => s.securityToken === auth.securityToken);
      if (!owner) throw err(400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.');
      throw err(
        400,
        'InvalidSecurityToken.MismatchWithAccessKey',
        'Specified SecurityToken mismatch with the AccessKey.',
      );
    }
    if (now >= session.expiresAt) {
      throw err(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
    }
    identity = session.identity;
    secret = session.accessKeySecret;
  } else {
    const entry = world.usersByKey.get(auth.accessKeyId);
    const root = world.rootKeys.get(auth.accessKeyId);
    if (!entry && !root) throw err(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (auth.securityToken) {
      throw err(
        400,
        'InvalidSecurityToken.MismatchWithAccessKey',
        'Specified SecurityToken mismatch with the AccessKey.',
      );
    }
    if (entry) {
      identity = userIdentity(entry.account.id, entry.user.name, entry.user.policies);
      secret = entry.user.accessKeySecret;
    } else {
      identity = rootIdentity(root!.account.id);
      secret = root!.accessKeySecret;
    }
  }
  if (!auth.verify(secret)) {
    throw err(
      400,
      'SignatureDoesNotMatch',
      'Specified signature is not matched with our calculation. Please check your AccessKeySecret and signing method.',
    );
  }
  if (!auth.nonce || !nonces.remember(auth.nonce, now)) {
    throw err(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  return identity;
}
