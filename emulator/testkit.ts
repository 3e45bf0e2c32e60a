// Helpers for tests that drive the emulator with the REAL @alicloud SDK clients.
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Ecs from '@alicloud/ecs20140526';
import Sts, * as $Sts from '@alicloud/sts20150401';
import type { EmulatorHandle } from './server';

export interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface SdkExtra {
  signatureAlgorithm?: 'v2';
  readTimeout?: number;
  /** Extra/overriding request headers (e.g. a fixed x-acs-signature-nonce to test replay). */
  headers?: Record<string, string>;
}

export function sdkConfig(
  emu: Pick<EmulatorHandle, 'endpoint'>,
  creds: Creds,
  extra: SdkExtra = {},
): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    ...creds,
    endpoint: emu.endpoint,
    protocol: 'http',
    regionId: 'cn-shanghai',
    readTimeout: extra.readTimeout ?? 10_000,
    connectTimeout: 5_000,
    ...(extra.signatureAlgorithm ? { signatureAlgorithm: extra.signatureAlgorithm } : {}),
    ...(extra.headers ? { globalParameters: new $OpenApiUtil.GlobalParameters({ headers: extra.headers }) } : {}),
  });
}

export const stsClient = (emu: Pick<EmulatorHandle, 'endpoint'>, creds: Creds, extra?: SdkExtra): Sts =>
  new Sts(sdkConfig(emu, creds, extra));

export const ecsClient = (emu: Pick<EmulatorHandle, 'endpoint'>, creds: Creds, extra?: SdkExtra): Ecs =>
  new Ecs(sdkConfig(emu, creds, extra));

/** Assumes each role ARN in turn, each hop with the previous hop's credentials. */
export async function assumeChain(
  emu: Pick<EmulatorHandle, 'endpoint'>,
  creds: Creds,
  roleArns: string[],
  sessionName = 'emulator-test',
): Promise<Creds> {
  let current = creds;
  for (const roleArn of roleArns) {
    const res = await stsClient(emu, current).assumeRole(
      new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: sessionName, durationSeconds: 3600 }),
    );
    const c = res.body?.credentials;
    if (!c?.accessKeyId || !c.accessKeySecret || !c.securityToken)
      throw new Error(`AssumeRole ${roleArn}: no credentials`);
    current = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
  }
  return current;
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`waitFor: timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
