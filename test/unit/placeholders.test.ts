// `{{name}}` substitution (Fn::MergeMap + rendering), placeholder listing and UTF-8 byte length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeholdersIn, substitute } from '../../contract/placeholders';
import { utf8Length } from '../../contract/utf8';

const values = { regionId: 'cn-shanghai', OOSAssumeRole: 'OOSServiceRole|654321/OOSServiceRole' };

const substituteCases: { name: string; input: unknown; expected: unknown }[] = [
  { name: '{{regionId}}', input: '{{regionId}}', expected: 'cn-shanghai' },
  { name: '{{ regionId }} with spaces', input: '{{ regionId }}', expected: 'cn-shanghai' },
  { name: 'tabs and several spaces', input: '{{\tregionId   }}', expected: 'cn-shanghai' },
  { name: 'inside text, twice', input: 'a {{regionId}} b {{regionId}}', expected: 'a cn-shanghai b cn-shanghai' },
  { name: '{{OOSAssumeRole}}', input: 'role={{OOSAssumeRole}}', expected: 'role=OOSServiceRole|654321/OOSServiceRole' },
  { name: 'unknown name is left as written', input: 'x {{ other }} y', expected: 'x {{ other }} y' },
  { name: 'case matters', input: '{{RegionId}}', expected: '{{RegionId}}' },
  { name: 'built-in parameter is left for the cloud', input: '{{ACS::InstanceId}}', expected: '{{ACS::InstanceId}}' },
  { name: 'single braces are not placeholders', input: '{regionId}', expected: '{regionId}' },
  {
    name: 'inherited Object key {{constructor}} is not a value',
    input: '{{constructor}}',
    expected: '{{constructor}}',
  },
  { name: 'inherited Object key {{toString}}', input: 'a {{toString}}', expected: 'a {{toString}}' },
  { name: '{{__proto__}}', input: '{{__proto__}}', expected: '{{__proto__}}' },
  { name: 'numbers, booleans, null untouched', input: [1, true, null], expected: [1, true, null] },
  {
    name: 'nested objects and arrays; keys are not substituted',
    input: { '{{regionId}}': ['{{regionId}}', { deep: '{{ OOSAssumeRole }}' }], n: 5 },
    expected: { '{{regionId}}': ['cn-shanghai', { deep: 'OOSServiceRole|654321/OOSServiceRole' }], n: 5 },
  },
  {
    name: 'seed targets',
    input: { Type: 'All', Parameters: { Status: 'Running', RegionId: '{{regionId}}' }, RegionId: '{{regionId}}' },
    expected: { Type: 'All', Parameters: { Status: 'Running', RegionId: 'cn-shanghai' }, RegionId: 'cn-shanghai' },
  },
  { name: 'undefined stays undefined', input: undefined, expected: undefined },
];
for (const c of substituteCases) {
  test(`substitute: ${c.name}`, () => {
    assert.deepEqual(substitute(c.input, values), c.expected);
  });
}

test('substitute does not change its input', () => {
  const input = { a: ['{{regionId}}'] };
  substitute(input, values);
  assert.deepEqual(input, { a: ['{{regionId}}'] });
});

const listCases: { name: string; text: string; expected: string[] }[] = [
  { name: 'none', text: 'echo hello', expected: [] },
  { name: 'one', text: 'echo {{name}}', expected: ['name'] },
  { name: 'spaces and repeats', text: '{{ a }} {{b}} {{a}}', expected: ['a', 'b', 'a'] },
  { name: 'built-ins', text: '{{ACS::RegionId}} {{ACS::InstanceId}}', expected: ['ACS::RegionId', 'ACS::InstanceId'] },
  { name: 'names with dashes and underscores', text: '{{my-param_1}}', expected: ['my-param_1'] },
  { name: 'not placeholders', text: '{{}} {{ }} {{a b}} {{a.b}} {a}', expected: [] },
];
for (const c of listCases) {
  test(`placeholdersIn: ${c.name}`, () => {
    assert.deepEqual(placeholdersIn(c.text), c.expected);
  });
}

const lengthCases: { name: string; text: string; expected: number }[] = [
  { name: 'empty', text: '', expected: 0 },
  { name: 'ascii', text: 'echo hello', expected: 10 },
  { name: '2-byte é', text: 'é', expected: 2 },
  { name: '3-byte 中文', text: '中文', expected: 6 },
  { name: '4-byte emoji (surrogate pair)', text: '😀', expected: 4 },
  { name: 'mixed', text: 'a é 中 😀', expected: 1 + 1 + 2 + 1 + 3 + 1 + 4 },
];
for (const c of lengthCases) {
  test(`utf8Length: ${c.name}`, () => {
    assert.equal(utf8Length(c.text), c.expected);
    assert.equal(utf8Length(c.text), Buffer.byteLength(c.text, 'utf8'));
  });
}
