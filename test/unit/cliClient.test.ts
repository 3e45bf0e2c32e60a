// Client-side pieces of the CLI that need no server: how a status line names a location, how errors are
// told apart (undecodable payloads, no worker), the input size limit and the outcome of an ended run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '@temporalio/common';
import seedInput from '../../examples/seed-input.json';
import type { ChildProgress } from '../../contract/progress';
import type { MultiAccountExecuteInput } from '../../contract/input';
import { checkInputSize, InputTooLargeError, MAX_INPUT_BYTES } from '../../client/api';
import { decodeErrorOf, isNoWorkerError } from '../../client/errors';
import { formatLocation, renderEnded, renderOutcome, renderProgress } from '../../client/render';
import { emptyCounts, type LocationResult } from '../../contract/results';
import { describeQueryError } from '../../client/report';
import { CodecKeyError } from '../../worker/encryptionCodec';

const counts = { total: 0, success: 0, failed: 0, skipped: 0, cancelled: 0, running: 0, pending: 0 };
const rateControl = {
  concurrency: 10,
  maxErrors: 0,
  errors: 0,
  paused: false,
  waitingForResume: false,
  wave: { index: 0, count: 1 },
};

describe('render', () => {
  test('a location without its account yet is its region alone', () => {
    assert.equal(formatLocation('654321', 'cn-shanghai'), '654321/cn-shanghai');
    assert.equal(formatLocation('', 'cn-shanghai'), 'cn-shanghai');
    assert.equal(formatLocation('', ''), '…');
  });

  test('a child selecting its targets has no "/region" with an empty account', () => {
    const progress: ChildProgress = {
      phase: 'SelectingTargets',
      accountId: '',
      regionId: 'cn-shanghai',
      counts,
      rateControl,
      invocations: 0,
    };
    assert.match(renderProgress('r/1/cn-shanghai', progress), /^r\/1\/cn-shanghai: SelectingTargets in cn-shanghai; /);
  });

  test('a location that succeeded over no instance says that nothing matched (a tag typo, most often)', () => {
    const location = (regionId: string, total: number): LocationResult => ({
      accountId: '654321',
      regionId,
      roleChain: 'OOSServiceRole',
      workflowId: `r/654321/${regionId}`,
      status: 'Success',
      counts: { ...emptyCounts(total), success: total },
      error: null,
    });
    const result = {
      status: 'Success' as const,
      counts: { ...emptyCounts(2), success: 2 },
      instanceCounts: { ...emptyCounts(1), success: 1 },
      locations: [location('cn-shanghai', 0), location('cn-beijing', 1)],
    };
    const text = renderOutcome(
      'r',
      { kind: 'completed', result },
      result.locations.map((l) => ({ location: l })),
      false,
    );
    const hints = text.split('\n').filter((l) => l.includes('no instance matched'));
    assert.deepEqual(hints, ['  no instance matched the targets here (check the Tags, ResourceGroupId or Status)']);
    assert.match(text, /account 654321 {2}region cn-shanghai {2}Success[^\n]*\n {2}no instance matched/);
  });

  test('an ended run: its execution status, outcome and message; per-instance results unless refused as bad input', () => {
    const problems = [{ path: 'a', value: 1, allowed: 'b' }];
    const refused = renderEnded('r', 'FAILED', {
      kind: 'failed',
      type: 'InvalidInput',
      message: 'invalid input:\na: b',
      problems,
    });
    assert.deepEqual(refused.split('\n'), ['r: ended (FAILED): InvalidInput', '  invalid input:', '  a: b']);
    const tripped = renderEnded('r', 'FAILED', { kind: 'failed', type: 'MaxErrorsExceeded', message: 'x' });
    assert.deepEqual(tripped.split('\n'), [
      'r: ended (FAILED): MaxErrorsExceeded',
      '  x',
      '  per-instance results: result r',
    ]);
  });
});

describe('errors', () => {
  test('an encrypted payload without a key says which variable to set', () => {
    const err = decodeErrorOf(new ValueError('Unknown encoding: binary/encrypted'));
    assert.equal(
      err?.message,
      "cannot decode the run's payloads (binary/encrypted): set FLEET_RUN_CODEC_KEY to the worker's key",
    );
  });

  test('a payload of another key names the codec problem', () => {
    assert.equal(
      decodeErrorOf(new CodecKeyError('no key k1-x'))?.message,
      "cannot decode the run's payloads: no key k1-x",
    );
    assert.equal(decodeErrorOf(new Error('14 UNAVAILABLE: connection refused')), undefined);
  });

  test('the worker hint only for a query no worker answered', () => {
    const noPoller = Object.assign(new Error('Failed to query Workflow'), {
      cause: new Error('9 FAILED_PRECONDITION: no poller seen for task queue recently, worker may be down'),
    });
    const unavailable = Object.assign(new Error('Failed to query Workflow'), {
      cause: new Error('14 UNAVAILABLE: No connection established'),
    });
    assert.equal(isNoWorkerError(noPoller), true);
    assert.match(describeQueryError(noPoller), /no poller seen.*; a worker of the run's task queue must be running/);
    assert.equal(isNoWorkerError(unavailable), false);
    assert.equal(
      describeQueryError(unavailable),
      'Failed to query Workflow (14 UNAVAILABLE: No connection established)',
    );
    assert.equal(isNoWorkerError(new ValueError('Unknown encoding: binary/encrypted')), false);
    const bufferFull = Object.assign(new Error('Failed to query Workflow'), {
      cause: new Error('8 RESOURCE_EXHAUSTED: consistent query buffer is full, cannot accept new consistent queries'),
    });
    assert.equal(isNoWorkerError(bufferFull), true);
  });
});

describe('input size', () => {
  const withPadding = (n: number): MultiAccountExecuteInput =>
    ({ ...seedInput, padding: 'x'.repeat(n) }) as unknown as MultiAccountExecuteInput;
  const bytes = (input: unknown) => Buffer.byteLength(JSON.stringify(input), 'utf8');

  test('exactly the limit passes; one byte over is refused naming the size and the limit', () => {
    const base = bytes(withPadding(0));
    assert.doesNotThrow(() => checkInputSize(withPadding(MAX_INPUT_BYTES - base)));
    assert.throws(
      () => checkInputSize(withPadding(MAX_INPUT_BYTES - base + 1)),
      (err: unknown) =>
        err instanceof InputTooLargeError &&
        err.message ===
          `invalid input:\n(input): got ${MAX_INPUT_BYTES + 1} bytes of JSON (UTF-8); allowed: at most 2000000 bytes, Temporal's limit for a workflow input`,
    );
  });

  test('measured in UTF-8 bytes, not characters', () => {
    const base = bytes(withPadding(0));
    const wide = { ...seedInput, padding: 'é'.repeat(Math.ceil((MAX_INPUT_BYTES - base) / 2) + 1) };
    assert.throws(() => checkInputSize(wide as unknown as MultiAccountExecuteInput), InputTooLargeError);
  });
});
