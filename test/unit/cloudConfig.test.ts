// Cloud endpoint and client settings from the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudConfigFromEnv, parseEndpoint, type CloudConfig } from '../../activities/cloudConfig';

type Endpoint = Pick<CloudConfig, 'endpoint' | 'protocol'>;
const endpointCases: { name: string; value: string | undefined; expected: Endpoint | { error: RegExp } }[] = [
  { name: 'unset: real regional endpoints over https', value: undefined, expected: { protocol: 'https' } },
  { name: 'empty string: unset', value: '', expected: { protocol: 'https' } },
  {
    name: 'http URL (the emulator)',
    value: 'http://127.0.0.1:8080',
    expected: { endpoint: '127.0.0.1:8080', protocol: 'http' },
  },
  {
    name: 'https URL',
    value: 'https://proxy.example:443',
    expected: { endpoint: 'proxy.example:443', protocol: 'https' },
  },
  {
    name: 'trailing slash',
    value: 'http://localhost:9000/',
    expected: { endpoint: 'localhost:9000', protocol: 'http' },
  },
  {
    name: 'host:port without scheme defaults to https',
    value: '127.0.0.1:8080',
    expected: { endpoint: '127.0.0.1:8080', protocol: 'https' },
  },
  { name: 'bare host', value: 'ecs.aliyuncs.com', expected: { endpoint: 'ecs.aliyuncs.com', protocol: 'https' } },
  { name: 'surrounding spaces', value: '  http://emu:1  ', expected: { endpoint: 'emu:1', protocol: 'http' } },
  { name: 'IPv6 literal', value: 'http://[::1]:8080', expected: { endpoint: '[::1]:8080', protocol: 'http' } },
  { name: 'a path is refused', value: 'http://host:1/api', expected: { error: /ALICLOUD_ENDPOINT must look like/ } },
  { name: 'another scheme is refused', value: 'ftp://host:21', expected: { error: /got "ftp:\/\/host:21"/ } },
  { name: 'scheme without host', value: 'http://', expected: { error: /ALICLOUD_ENDPOINT/ } },
  { name: 'space inside', value: 'http://a b:1', expected: { error: /ALICLOUD_ENDPOINT/ } },
  { name: 'only a slash', value: '/', expected: { error: /ALICLOUD_ENDPOINT/ } },
];
for (const c of endpointCases) {
  test(`parseEndpoint: ${c.name}`, () => {
    if ('error' in c.expected) {
      assert.throws(() => parseEndpoint(c.value), c.expected.error);
    } else {
      assert.deepEqual(parseEndpoint(c.value), c.expected);
    }
  });
}

const defaults: CloudConfig = {
  protocol: 'https',
  readTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  stsDurationSeconds: 3600,
  roleSessionName: 'temporal-fleet-run',
};
const envCases: { name: string; env: NodeJS.ProcessEnv; expected: CloudConfig | { error: RegExp } }[] = [
  { name: 'empty environment: defaults', env: {}, expected: defaults },
  {
    name: 'everything set',
    env: {
      ALICLOUD_ENDPOINT: 'http://127.0.0.1:8080',
      ALICLOUD_READ_TIMEOUT_MS: '2500',
      ALICLOUD_CONNECT_TIMEOUT_MS: '700',
      ALICLOUD_STS_DURATION_SECONDS: '900',
      ALICLOUD_ROLE_SESSION_NAME: 'ci-run',
    },
    expected: {
      endpoint: '127.0.0.1:8080',
      protocol: 'http',
      readTimeoutMs: 2500,
      connectTimeoutMs: 700,
      stsDurationSeconds: 900,
      roleSessionName: 'ci-run',
    },
  },
  {
    name: 'empty values fall back to defaults',
    env: { ALICLOUD_READ_TIMEOUT_MS: '', ALICLOUD_ROLE_SESSION_NAME: '' },
    expected: defaults,
  },
  {
    name: 'zero timeout',
    env: { ALICLOUD_READ_TIMEOUT_MS: '0' },
    expected: { error: /ALICLOUD_READ_TIMEOUT_MS must be a positive integer, got "0"/ },
  },
  {
    name: 'negative timeout',
    env: { ALICLOUD_CONNECT_TIMEOUT_MS: '-5' },
    expected: { error: /ALICLOUD_CONNECT_TIMEOUT_MS/ },
  },
  {
    name: 'fractional duration',
    env: { ALICLOUD_STS_DURATION_SECONDS: '1.5' },
    expected: { error: /ALICLOUD_STS_DURATION_SECONDS/ },
  },
  { name: 'text duration', env: { ALICLOUD_STS_DURATION_SECONDS: 'abc' }, expected: { error: /got "abc"/ } },
  { name: 'bad endpoint', env: { ALICLOUD_ENDPOINT: 'http://x/y' }, expected: { error: /ALICLOUD_ENDPOINT/ } },
];
for (const c of envCases) {
  test(`cloudConfigFromEnv: ${c.name}`, () => {
    if ('error' in c.expected) {
      assert.throws(() => cloudConfigFromEnv(c.env), c.expected.error);
    } else {
      assert.deepEqual(cloudConfigFromEnv(c.env), c.expected);
    }
  });
}
