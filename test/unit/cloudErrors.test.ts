// Which cloud errors are passing faults, and the retry loop around cloud calls (with an injected sleep).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { callCloud, describeCloudError, errorCode, isTransientCloudError } from '../../activities/cloudErrors';
import { CLOUD_REQUEST_REJECTED } from '../../contract/errors';

/** An error shaped like the Alibaba SDK's (code, statusCode, data.RequestId) or Node's (code only). */
function sdkError(fields: { name?: string; code?: string; statusCode?: number; message?: string; requestId?: string }) {
  const e = new Error(fields.message ?? `${fields.code ?? 'error'}: something`) as Error & Record<string, unknown>;
  if (fields.name !== undefined) e.name = fields.name;
  if (fields.code !== undefined) e.code = fields.code;
  if (fields.statusCode !== undefined) e.statusCode = fields.statusCode;
  if (fields.requestId !== undefined) e.data = { RequestId: fields.requestId };
  return e;
}

const transientCases: { name: string; err: unknown; expected: boolean }[] = [
  { name: 'Throttling.User (400)', err: sdkError({ code: 'Throttling.User', statusCode: 400 }), expected: true },
  { name: 'Throttling (503)', err: sdkError({ code: 'Throttling', statusCode: 503 }), expected: true },
  { name: 'Throttling.Api', err: sdkError({ code: 'Throttling.Api', statusCode: 400 }), expected: true },
  { name: 'name ThrottlingError', err: sdkError({ name: 'ThrottlingError', statusCode: 400 }), expected: true },
  { name: 'status 500', err: sdkError({ code: 'UnknownError', statusCode: 500 }), expected: true },
  {
    name: 'status 503 ServiceUnavailable',
    err: sdkError({ code: 'ServiceUnavailable', statusCode: 503 }),
    expected: true,
  },
  { name: 'status 502 without code', err: sdkError({ statusCode: 502 }), expected: true },
  { name: 'InternalError code at 400', err: sdkError({ code: 'InternalError', statusCode: 400 }), expected: true },
  { name: 'IdempotentProcessing', err: sdkError({ code: 'IdempotentProcessing', statusCode: 400 }), expected: true },
  {
    name: 'InvalidSecurityToken.Expired',
    err: sdkError({ code: 'InvalidSecurityToken.Expired', statusCode: 400 }),
    expected: true,
  },
  { name: 'ECONNRESET with no status', err: sdkError({ code: 'ECONNRESET' }), expected: true },
  { name: 'ETIMEDOUT with no status', err: sdkError({ code: 'ETIMEDOUT' }), expected: true },
  { name: 'socket hang up: no code, no status', err: new Error('socket hang up'), expected: true },
  {
    name: 'httpx RequestTimeoutError',
    err: sdkError({ name: 'RequestTimeoutError', message: 'ReadTimeout: 10000' }),
    expected: true,
  },
  {
    name: 'a TypeError (a bug) is not retried',
    err: new TypeError('Cannot read properties of undefined'),
    expected: false,
  },
  { name: '400 InvalidParameter', err: sdkError({ code: 'InvalidParameter', statusCode: 400 }), expected: false },
  { name: '403 NoPermission', err: sdkError({ code: 'NoPermission', statusCode: 403 }), expected: false },
  { name: '403 Forbidden.RAM', err: sdkError({ code: 'Forbidden.RAM', statusCode: 403 }), expected: false },
  {
    name: '404 InvalidInstance.NotFound',
    err: sdkError({ code: 'InvalidInstance.NotFound', statusCode: 404 }),
    expected: false,
  },
  {
    name: '400 InvalidSecurityToken.Malformed',
    err: sdkError({ code: 'InvalidSecurityToken.Malformed', statusCode: 400 }),
    expected: false,
  },
  { name: '400 Parameter.Disabled', err: sdkError({ code: 'Parameter.Disabled', statusCode: 400 }), expected: false },
];
for (const c of transientCases) {
  test(`isTransientCloudError: ${c.name} -> ${c.expected}`, () => {
    assert.equal(isTransientCloudError(c.err), c.expected);
  });
}

const codeCases: { name: string; err: unknown; code: string; description: string }[] = [
  {
    name: 'SDK error',
    err: sdkError({ code: 'NoPermission', message: 'NoPermission: denied\nstack' }),
    code: 'NoPermission',
    description: 'NoPermission: denied',
  },
  { name: 'plain error', err: new Error('boom'), code: '', description: 'boom' },
  { name: 'a string thrown', err: 'oops', code: '', description: 'oops' },
  { name: 'numeric code ignored', err: Object.assign(new Error('x'), { code: 42 }), code: '', description: 'x' },
  {
    // The SDK appends the request to network errors; its query has the command, parameters and key id.
    name: 'request URL cut out',
    err: new Error(
      'socket hang upPOST http://127.0.0.1:8080/?Action=RunCommand&CommandContent=ZWNobw%3D%3D&Parameters=%7B%22dbpass%22%3A%22S3cret%22%7D&AccessKeyId=STS.abc',
    ),
    code: '',
    description: 'socket hang up (request URL omitted)',
  },
  {
    name: 'https URL inside a message',
    err: new Error('connect ETIMEDOUT GET https://ecs.cn-hangzhou.aliyuncs.com/?SecurityToken=tok after 5000 ms'),
    code: '',
    description: 'connect ETIMEDOUT (request URL omitted) after 5000 ms',
  },
];
for (const c of codeCases) {
  test(`errorCode / describeCloudError: ${c.name}`, () => {
    assert.equal(errorCode(c.err), c.code);
    assert.equal(describeCloudError(c.err), c.description);
  });
}

// ---------------------------------------------------------------------------------------------------
// callCloud: a scripted call fails with the listed errors in turn, then returns 'done'.

interface RetryCase {
  name: string;
  failures: Error[];
  attempts: number;
  expected:
    | { result: 'done'; calls: number; sleeps: number; expiredTokenCalls?: number }
    | {
        failureType: string;
        nonRetryable: boolean;
        calls: number;
        sleeps: number;
        message: RegExp;
        details?: unknown[];
      };
}
const throttled = () => sdkError({ code: 'Throttling.User', statusCode: 400 });
const cases: RetryCase[] = [
  { name: 'succeeds at once', failures: [], attempts: 3, expected: { result: 'done', calls: 1, sleeps: 0 } },
  {
    name: 'throttled twice then succeeds',
    failures: [throttled(), throttled()],
    attempts: 6,
    expected: { result: 'done', calls: 3, sleeps: 2 },
  },
  {
    name: 'reset, 503, throttled, then succeeds on the last allowed attempt',
    failures: [
      sdkError({ code: 'ECONNRESET' }),
      sdkError({ code: 'ServiceUnavailable', statusCode: 503 }),
      throttled(),
    ],
    attempts: 4,
    expected: { result: 'done', calls: 4, sleeps: 3 },
  },
  {
    name: 'expired token: drops cached credentials and retries',
    failures: [sdkError({ code: 'InvalidSecurityToken.Expired', statusCode: 400 })],
    attempts: 3,
    expected: { result: 'done', calls: 2, sleeps: 1, expiredTokenCalls: 1 },
  },
  {
    name: 'gives up after N attempts with a retryable failure',
    failures: [throttled(), throttled(), throttled(), throttled()],
    attempts: 3,
    expected: {
      failureType: 'TransientCloudError',
      nonRetryable: false,
      calls: 3,
      sleeps: 2,
      message: /^RunCommand: still failing after 3 attempts: Throttling.User/,
    },
  },
  {
    name: 'attempts 1: no retry inside the activity',
    failures: [throttled()],
    attempts: 1,
    expected: {
      failureType: 'TransientCloudError',
      nonRetryable: false,
      calls: 1,
      sleeps: 0,
      message: /after 1 attempts/,
    },
  },
  {
    name: '403 NoPermission: non-retryable CloudRequestRejected at once',
    failures: [
      sdkError({ code: 'NoPermission', statusCode: 403, message: 'NoPermission: not allowed', requestId: 'req-1' }),
    ],
    attempts: 5,
    expected: {
      failureType: CLOUD_REQUEST_REJECTED,
      nonRetryable: true,
      calls: 1,
      sleeps: 0,
      message: /^RunCommand: NoPermission: not allowed$/,
      details: [{ code: 'NoPermission', requestId: 'req-1' }],
    },
  },
  {
    name: 'throttled, then 400 InvalidParameter: rejected after one retry',
    failures: [throttled(), sdkError({ code: 'InvalidParameter', statusCode: 400, message: 'InvalidParameter: bad' })],
    attempts: 5,
    expected: {
      failureType: CLOUD_REQUEST_REJECTED,
      nonRetryable: true,
      calls: 2,
      sleeps: 1,
      message: /InvalidParameter: bad/,
      details: [{ code: 'InvalidParameter', requestId: null }],
    },
  },
  {
    name: 'an ApplicationFailure passes through unchanged',
    failures: [ApplicationFailure.create({ message: 'mine', type: 'Custom', nonRetryable: true })],
    attempts: 5,
    expected: { failureType: 'Custom', nonRetryable: true, calls: 1, sleeps: 0, message: /^mine$/ },
  },
];

for (const c of cases) {
  test(`callCloud: ${c.name}`, async () => {
    let calls = 0;
    const sleeps: number[] = [];
    const retries: number[] = [];
    let expiredTokenCalls = 0;
    const run = callCloud(
      'RunCommand',
      () => {
        const failure = c.failures[calls++];
        return failure === undefined ? Promise.resolve('done') : Promise.reject(failure);
      },
      {
        attempts: c.attempts,
        initialDelayMs: 100,
        maxDelayMs: 300,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        onRetry: (_err, attempt) => retries.push(attempt),
        onExpiredToken: () => expiredTokenCalls++,
      },
    );
    const e = c.expected;
    if ('result' in e) {
      assert.equal(await run, e.result);
      assert.equal(expiredTokenCalls, e.expiredTokenCalls ?? 0);
    } else {
      await assert.rejects(run, (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure, `ApplicationFailure expected, got ${String(err)}`);
        assert.equal(err.type, e.failureType);
        assert.equal(err.nonRetryable, e.nonRetryable);
        assert.match(err.message, e.message);
        if (e.details !== undefined) assert.deepEqual(err.details, e.details);
        return true;
      });
    }
    assert.equal(calls, e.calls);
    assert.equal(sleeps.length, e.sleeps);
    assert.deepEqual(
      retries,
      sleeps.map((_, i) => i + 1),
    );
    // Exponential backoff with jitter: attempt k waits in [b/2, b], b = min(300, 100 × 2^(k-1)).
    sleeps.forEach((ms, i) => {
      const backoff = Math.min(300, 100 * 2 ** i);
      assert.ok(ms >= backoff / 2 && ms <= backoff, `sleep ${i + 1} was ${ms} ms, expected ${backoff / 2}..${backoff}`);
    });
  });
}

test('callCloud: keys refused as unknown are dropped and tried once more with fresh ones', async () => {
  let calls = 0;
  let dropped = 0;
  const refused = Object.assign(new Error('InvalidAccessKeyId.NotFound'), {
    code: 'InvalidAccessKeyId.NotFound',
    statusCode: 404,
  });
  const result = await callCloud('x', () => (++calls === 1 ? Promise.reject(refused) : Promise.resolve('ok')), {
    onExpiredToken: () => dropped++,
    sleep: () => Promise.resolve(),
  });
  assert.deepEqual([result, calls, dropped], ['ok', 2, 1]);
  // Refused again with fresh keys: a real refusal, not retried further.
  calls = 0;
  await assert.rejects(
    callCloud('x', () => (++calls, Promise.reject(refused)), {
      onExpiredToken: () => dropped++,
      sleep: () => Promise.resolve(),
    }),
    (err: unknown) => (err as { type?: string }).type === 'CloudRequestRejected',
  );
  assert.equal(calls, 2);
});
