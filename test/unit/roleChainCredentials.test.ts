// The STS role-chain cache against the emulator (real SDK): what DurationSeconds it asks for, and that it
// refreshes by the lifetime STS granted (not the one it asked for), once per chain, shared by callers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CloudConfig } from '../../activities/cloudConfig';
import { RoleChainCredentials } from '../../activities/roleChainCredentials';
import { loadScenario } from '../../emulator/scenario';
import { startEmulator, type EmulatorHandle } from '../../emulator/server';

const CHAIN = 'OOSServiceRole|654321/OOSServiceRole';
const world = loadScenario('examples/seed-world.json');
const user = world.accounts[0]!.users![0]!;
// The hub role may be assumed for up to 12 hours (the member hop is role chaining: at most 1 hour).
world.accounts[0]!.roles![0]!.maxSessionDuration = 43_200;

let emu: EmulatorHandle;
before(async () => {
  emu = await startEmulator({ scenario: world });
});
after(async () => emu?.close());

const base = () => Promise.resolve({ accessKeyId: user.accessKeyId, accessKeySecret: user.accessKeySecret });
function credentials(stsDurationSeconds: number, now?: () => number): RoleChainCredentials {
  const cloud: CloudConfig = {
    endpoint: emu.endpoint,
    protocol: 'http',
    readTimeoutMs: 5000,
    connectTimeoutMs: 5000,
    stsDurationSeconds,
    roleSessionName: 'unit-test',
  };
  return new RoleChainCredentials(base, cloud, now);
}
const assumeRoles = () => emu.audit().calls.filter((c) => c.action === 'AssumeRole' && c.httpStatus === 200).length;
/** Lifetimes (s) of the credentials issued since `from`, hub hop first. */
const lifetimes = (from: number, issuedAt: number) =>
  emu
    .issuedCredentials()
    .slice(from)
    .map((c) => Math.round((c.expiresAt - issuedAt) / 1000));

describe('DurationSeconds asked of STS', () => {
  const cases = [
    { configured: 6, lifetimes: [900, 900], why: 'below STS minimum: 900 s' },
    { configured: 1800, lifetimes: [1800, 1800], why: 'as configured' },
    { configured: 43_200, lifetimes: [43_200, 3600], why: 'a chained hop at most 3600 s' },
  ];
  for (const c of cases) {
    test(`configured ${c.configured} s: ${c.why}`, async () => {
      emu.setFaults({ stsDurationSeconds: undefined });
      const from = emu.issuedCredentials().length;
      const t = Math.floor(Date.now() / 1000) * 1000;
      await credentials(c.configured).get(CHAIN);
      const got = lifetimes(from, t);
      assert.equal(got.length, 2);
      // Expirations are whole seconds: allow the second that may tick over during the calls.
      got.forEach((s, i) => assert.ok(s === c.lifetimes[i] || s === c.lifetimes[i]! + 1, `${s} vs ${c.lifetimes[i]}`));
    });
  }
});

describe('refresh', () => {
  test('STS grants 6 s though 3600 s were asked: cached until a fifth of the granted lifetime is left', async () => {
    emu.setFaults({ stsDurationSeconds: 6 });
    let now = Date.now();
    const creds = credentials(3600, () => now);
    const start = now;
    const before = assumeRoles();
    const first = await creds.get(CHAIN);
    assert.equal(assumeRoles() - before, 2, 'hub hop + member hop');
    for (let i = 0; i < 20; i++) assert.equal(await creds.get(CHAIN), first, 'cached');
    now = start + 3500; // granted 5-6 s (expirations are whole seconds): more than a fifth left
    assert.equal(await creds.get(CHAIN), first);
    assert.equal(assumeRoles() - before, 2);
    now = start + 5000; // at most a fifth left: refreshed
    const second = await creds.get(CHAIN);
    assert.notEqual(second.key.accessKeyId, first.key.accessKeyId);
    assert.match(second.key.accessKeyId, /^STS\./);
    assert.equal(assumeRoles() - before, 4);
    assert.equal(await creds.get(CHAIN), second);
  });

  test('concurrent callers share one resolution per chain; chains are cached apart', async () => {
    emu.setFaults({ stsDurationSeconds: undefined });
    const creds = credentials(3600);
    const before = assumeRoles();
    const got = await Promise.all(Array.from({ length: 10 }, () => creds.get(CHAIN)));
    assert.equal(new Set(got.map((g) => g.key.accessKeyId)).size, 1);
    assert.equal(assumeRoles() - before, 2);
    await creds.get('OOSServiceRole');
    assert.equal(assumeRoles() - before, 3);
  });

  test('invalidate (the cloud said the token expired) re-assumes the chain on the next call', async () => {
    const creds = credentials(3600);
    const first = await creds.get(CHAIN);
    const before = assumeRoles();
    creds.invalidate(CHAIN);
    const second = await creds.get(CHAIN);
    assert.notEqual(second.key.accessKeyId, first.key.accessKeyId);
    assert.equal(assumeRoles() - before, 2);
  });
});
