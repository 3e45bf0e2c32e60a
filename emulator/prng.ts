// Seedable PRNG (mulberry32) so fault injection and simulated behaviour replay identically for a seed.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** Lowercase hex string of `len` characters. */
  hex(len: number): string;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    hex: (len) => {
      let s = '';
      while (s.length < len)
        s += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return s.slice(0, len);
    },
  };
}

/** Picks a value from a fixed number or a [min, max] range. */
export function pick(rng: Rng, v: number | [number, number] | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v === 'number') return v;
  return v[0] === v[1] ? v[0] : v[0] + rng.next() * (v[1] - v[0]);
}
