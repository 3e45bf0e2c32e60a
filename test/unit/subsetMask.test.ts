import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSubset, encodeSubset } from '../../workflows/subsetMask';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${i}`);

const cases: { name: string; all: string[]; subset: string[]; mask: string }[] = [
  { name: 'empty list', all: [], subset: [], mask: '' },
  { name: 'nothing missing', all: ids(5), subset: [], mask: '00' },
  { name: 'first item', all: ids(5), subset: ['i-0'], mask: '10' },
  { name: 'fourth and fifth', all: ids(5), subset: ['i-3', 'i-4'], mask: '81' },
  { name: 'all of eight', all: ids(8), subset: ids(8), mask: 'ff' },
  { name: 'subset order does not matter', all: ids(6), subset: ['i-5', 'i-1'], mask: '22' },
  { name: 'a duplicate in the subset sets one bit', all: ids(4), subset: ['i-2', 'i-2'], mask: '4' },
];

for (const c of cases) {
  test(`subset mask: ${c.name}`, () => {
    const mask = encodeSubset(c.all, c.subset);
    assert.equal(mask, c.mask);
    assert.deepEqual(
      decodeSubset(c.all, mask),
      c.all.filter((id) => c.subset.includes(id)),
    );
  });
}

test('subset mask: 5,000 ids, every third missing, round-trips in 1,250 characters', () => {
  const all = ids(5000);
  const subset = all.filter((_, i) => i % 3 === 0);
  const mask = encodeSubset(all, subset);
  assert.equal(mask.length, 1250);
  assert.deepEqual(decodeSubset(all, mask), subset);
});

test('subset mask: an item not in the list is refused', () => {
  assert.throws(() => encodeSubset(ids(3), ['i-9']), /i-9 is not in the list/);
});
