// A subset of a list as a hex bit mask (bit i of the mask = item i is in the subset): 5,000 ResourceIds that
// the region does not have take 1,250 characters in a continuation instead of the ids themselves again.
// Workflow-safe: no Buffer.

/** The mask of `subset` over `all` (items of `subset` that `all` lacks are not representable: throws). */
export function encodeSubset(all: readonly string[], subset: readonly string[]): string {
  const indexOf = new Map<string, number>();
  all.forEach((item, i) => {
    if (!indexOf.has(item)) indexOf.set(item, i);
  });
  const nibbles = new Array<number>(Math.ceil(all.length / 4)).fill(0);
  for (const item of subset) {
    const i = indexOf.get(item);
    if (i === undefined) throw new Error(`encodeSubset: ${item} is not in the list`);
    nibbles[i >> 2]! |= 1 << (i & 3);
  }
  return nibbles.map((n) => n.toString(16)).join('');
}

/** The items of `all` whose bit is set in `mask`, in the order of `all`. */
export function decodeSubset(all: readonly string[], mask: string): string[] {
  return all.filter((_, i) => ((parseInt(mask.charAt(i >> 2) || '0', 16) >> (i & 3)) & 1) === 1);
}
