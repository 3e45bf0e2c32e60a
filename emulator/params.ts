// Typed access to API parameters (decoded query string), with the cloud's error codes for bad values.
import { err, invalidParam, missingParam, type ApiError } from './errors';

export class Params {
  constructor(readonly map: Map<string, string>) {}

  str(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  required(name: string, missing: ApiError = missingParam(name)): string {
    const v = this.str(name);
    if (v === undefined) throw missing;
    return v;
  }

  int(name: string, opts: { min?: number; max?: number; invalid?: ApiError } = {}): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    const bad = opts.invalid ?? invalidParam(name, v);
    if (!Number.isInteger(n)) throw bad;
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) throw bad;
    return n;
  }

  bool(name: string): boolean {
    return this.str(name)?.toLowerCase() === 'true';
  }

  /** Repeat-list `Name.1`, `Name.2`, … in index order. */
  list(name: string): string[] {
    const re = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)$`);
    const items: [number, string][] = [];
    for (const [k, v] of this.map) {
      const m = re.exec(k);
      if (m && v !== '') items.push([Number(m[1]), v]);
    }
    return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs in index order. */
  tags(prefix = 'Tag'): { key: string; value: string | undefined }[] {
    const keys = new Map<number, { key?: string; value?: string }>();
    const re = new RegExp(`^${prefix}\\.(\\d+)\\.(Key|Value)$`);
    for (const [k, v] of this.map) {
      const m = re.exec(k);
      if (!m) continue;
      const n = Number(m[1]);
      const entry = keys.get(n) ?? {};
      if (m[2] === 'Key') entry.key = v;
      else entry.value = v;
      keys.set(n, entry);
    }
    if (keys.size > 20)
      throw err(400, 'InvalidTagCount', 'The number of specified tags exceeds the upper limit of 20.');
    return [...keys.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, e]) => {
        if (!e.key) throw err(400, 'MissingParameter.TagKey', 'The tag key is missing.');
        return { key: e.key, value: e.value === '' ? undefined : e.value };
      });
  }
}
