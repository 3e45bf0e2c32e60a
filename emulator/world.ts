// Builds the runtime world from a scenario and answers lookups (keys, sessions, roles, regions).
import { createHash } from 'node:crypto';
import type { Account, Instance, Region, StsSession } from './model';
import type { Behavior, InstanceSpec, Scenario, UserSpec } from './scenario';

/** Stable numeric id (like RAM's 16-19 digit ids) derived from a name. */
export function numericId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('/')).digest();
  return (h.readBigUInt64BE(0) % 10n ** 18n).toString().padStart(18, '1');
}

function makeInstance(spec: InstanceSpec, index: number, createdAt: number): Instance {
  return {
    id: spec.id,
    name: spec.name ?? spec.id,
    status: spec.status,
    osType: spec.osType ?? 'linux',
    tags: spec.tags ?? {},
    resourceGroupId: spec.resourceGroupId ?? '',
    agent: spec.agent ?? 'online',
    released: false,
    behavior: spec.behavior,
    creationTime: createdAt,
    privateIp: `172.16.${(index >> 8) & 255}.${index & 255}`,
    invocationCount: 0,
    activeTaskCount: 0,
    lastInvokedTime: undefined,
  };
}

function emptyRegion(accountId: string, regionId: string): Region {
  return {
    accountId,
    regionId,
    instances: [],
    instancesById: new Map(),
    invocations: [],
    invocationsById: new Map(),
    clientTokens: new Map(),
  };
}

export class World {
  readonly accounts = new Map<string, Account>();
  readonly usersByKey = new Map<string, { account: Account; user: UserSpec }>();
  /** Root access keys: key id → account and secret. */
  readonly rootKeys = new Map<string, { account: Account; accessKeySecret: string }>();
  readonly sessions = new Map<string, StsSession>();

  constructor(readonly scenario: Scenario) {
    const createdAt = Date.UTC(2024, 0, 1);
    for (const a of scenario.accounts) {
      const account: Account = { id: a.id, users: new Map(), roles: new Map(), regions: new Map() };
      for (const k of a.rootKeys ?? []) {
        this.rootKeys.set(k.accessKeyId, { account, accessKeySecret: k.accessKeySecret });
      }
      for (const u of a.users ?? []) {
        account.users.set(u.name, u);
        this.usersByKey.set(u.accessKeyId, { account, user: u });
      }
      for (const r of a.roles ?? []) {
        account.roles.set(r.name.toLowerCase(), { ...r, roleId: numericId(a.id, 'role', r.name.toLowerCase()) });
      }
      for (const [regionId, spec] of Object.entries(a.regions ?? {})) {
        const region = emptyRegion(a.id, regionId);
        const add = (inst: Instance): void => {
          if (region.instancesById.has(inst.id)) {
            throw new Error(`scenario accounts[${a.id}].regions.${regionId}: duplicate instance id ${inst.id}`);
          }
          region.instances.push(inst);
          region.instancesById.set(inst.id, inst);
        };
        for (const s of spec.instances ?? []) add(makeInstance(s, region.instances.length, createdAt));
        for (const g of spec.generate ?? []) {
          const width = Math.max(4, String(g.count).length);
          const behavior: Behavior | undefined = g.behavior; // shared by reference: no per-instance copy
          for (let n = 1; n <= g.count; n++) {
            const suffix = String(n).padStart(width, '0');
            const spec: InstanceSpec = {
              id: `${g.idPrefix}${suffix}`,
              name: `${g.namePrefix ?? g.idPrefix}${suffix}`,
              status: g.status ?? 'Running',
            };
            if (g.osType) spec.osType = g.osType;
            if (g.tags) spec.tags = g.tags;
            if (g.resourceGroupId) spec.resourceGroupId = g.resourceGroupId;
            if (g.agent) spec.agent = g.agent;
            if (behavior) spec.behavior = behavior;
            add(makeInstance(spec, region.instances.length, createdAt));
          }
        }
        account.regions.set(regionId, region);
      }
      this.accounts.set(a.id, account);
    }
  }

  /** The region of an account; an unknown region is an empty one, created on first use. */
  region(accountId: string, regionId: string): Region {
    const account = this.accounts.get(accountId);
    if (!account) return emptyRegion(accountId, regionId);
    let region = account.regions.get(regionId);
    if (!region) {
      region = emptyRegion(accountId, regionId);
      account.regions.set(regionId, region);
    }
    return region;
  }

  counts(): { accounts: number; instances: number } {
    let instances = 0;
    for (const a of this.accounts.values()) for (const r of a.regions.values()) instances += r.instances.length;
    return { accounts: this.accounts.size, instances };
  }
}
