// capOutput: decode the cloud's base64 output and keep at most maxBytes bytes, never splitting a character.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { capOutput, type CappedOutput } from '../../activities/outputs';
import { withinBudget } from '../../activities/pollInvocations';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const cases: { name: string; base64: string | undefined; maxBytes: number; expected: CappedOutput }[] = [
  { name: 'undefined output', base64: undefined, maxBytes: 10, expected: { output: '', outputTruncated: false } },
  { name: 'empty output', base64: '', maxBytes: 10, expected: { output: '', outputTruncated: false } },
  { name: 'empty output, limit 0', base64: '', maxBytes: 0, expected: { output: '', outputTruncated: false } },
  {
    name: 'ascii under the limit',
    base64: b64('hello\n'),
    maxBytes: 10,
    expected: { output: 'hello\n', outputTruncated: false },
  },
  {
    name: 'ascii exactly at the limit',
    base64: b64('0123456789'),
    maxBytes: 10,
    expected: { output: '0123456789', outputTruncated: false },
  },
  {
    name: 'ascii one over the limit',
    base64: b64('0123456789A'),
    maxBytes: 10,
    expected: { output: '0123456789', outputTruncated: true },
  },
  {
    name: 'ascii far over the limit',
    base64: b64('x'.repeat(5000)),
    maxBytes: 2048,
    expected: { output: 'x'.repeat(2048), outputTruncated: true },
  },
  { name: 'limit 0 with output', base64: b64('abc'), maxBytes: 0, expected: { output: '', outputTruncated: true } },
  // 'é' is 2 bytes (c3 a9): 'aé' is 3 bytes; a 2-byte budget must not keep half of 'é'.
  {
    name: '2-byte char cut in the middle',
    base64: b64('aé'),
    maxBytes: 2,
    expected: { output: 'a', outputTruncated: true },
  },
  {
    name: '2-byte char fits exactly',
    base64: b64('aéb'),
    maxBytes: 3,
    expected: { output: 'aé', outputTruncated: true },
  },
  // '中' is 3 bytes (e4 b8 ad).
  {
    name: '3-byte char, 1 of 3 bytes fits',
    base64: b64('中文'),
    maxBytes: 4,
    expected: { output: '中', outputTruncated: true },
  },
  {
    name: '3-byte char, 2 of 3 bytes fit',
    base64: b64('中文'),
    maxBytes: 5,
    expected: { output: '中', outputTruncated: true },
  },
  {
    name: '3-byte chars, exact limit',
    base64: b64('中文'),
    maxBytes: 6,
    expected: { output: '中文', outputTruncated: false },
  },
  { name: '3-byte char, none fits', base64: b64('中'), maxBytes: 2, expected: { output: '', outputTruncated: true } },
  // '😀' is 4 bytes (f0 9f 98 80).
  {
    name: '4-byte emoji cut after 3 bytes',
    base64: b64('ok😀'),
    maxBytes: 5,
    expected: { output: 'ok', outputTruncated: true },
  },
  {
    name: '4-byte emoji cut after 1 byte',
    base64: b64('ok😀'),
    maxBytes: 3,
    expected: { output: 'ok', outputTruncated: true },
  },
  {
    name: '4-byte emoji fits exactly',
    base64: b64('ok😀!'),
    maxBytes: 6,
    expected: { output: 'ok😀', outputTruncated: true },
  },
  {
    name: 'cloud 24 KB output capped to 2048 bytes of 3-byte chars',
    base64: b64('中'.repeat(8192)),
    maxBytes: 2048,
    expected: { output: '中'.repeat(682), outputTruncated: true },
  },
];

for (const c of cases) {
  test(`capOutput: ${c.name}`, () => {
    const got = capOutput(c.base64, c.maxBytes);
    assert.deepEqual(got, c.expected);
    assert.ok(Buffer.byteLength(got.output, 'utf8') <= Math.max(c.maxBytes, 0));
    assert.ok(!got.output.includes('\uFFFD'), 'no replacement character from a split sequence');
  });
}

describe('withinBudget: a poll result stays small however many instances end at once', () => {
  const result = (n: number, output: string) => ({
    instanceId: `i-${n}`,
    invokeId: 't-1',
    status: 'Success' as const,
    exitCode: 0,
    errorCode: '',
    errorInfo: '',
    output,
    outputTruncated: false,
    dropped: 0,
    startTime: null,
    finishedTime: null,
  });
  const cases = [
    { name: '3 small results: all kept', results: [1, 2, 3].map((n) => result(n, 'ok')), kept: 3 },
    { name: '800 results: the first 500', results: Array.from({ length: 800 }, (_, n) => result(n, '')), kept: 500 },
    {
      name: '100 outputs of 2 KB: as many as fit in 128 KB (2,050 bytes of JSON each)',
      results: Array.from({ length: 100 }, (_, n) => result(n, 'x'.repeat(2048))),
      kept: 63,
    },
    {
      name: '100 outputs of 2,048 control characters (6 bytes each in JSON): 10 fit in 128 KB',
      results: Array.from({ length: 100 }, (_, n) => result(n, '\u001b'.repeat(2048))),
      kept: 10,
    },
    {
      name: '100 outputs of 2,048 CJK characters (6 KB each in UTF-8): 21 fit in 128 KB',
      results: Array.from({ length: 100 }, (_, n) => result(n, '界'.repeat(2048))),
      kept: 21,
    },
    { name: 'one output over the budget alone: still kept', results: [result(1, 'x'.repeat(200_000))], kept: 1 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const kept = withinBudget(c.results);
      assert.equal(kept.length, c.kept);
      assert.deepEqual(
        kept.map((r) => r.instanceId),
        c.results.slice(0, c.kept).map((r) => r.instanceId),
      );
    });
  }
});
