// Paging: NextToken (opaque offset) or deprecated PageNumber/PageSize, as the Describe* APIs accept.
import { err } from './errors';
import type { Params } from './params';

export interface Page {
  offset: number;
  size: number;
  pageNumber: number;
  /** Whether the caller paged with MaxResults/NextToken (then NextToken is returned). */
  tokenMode: boolean;
}

const PREFIX = 'emu1:';

export function encodeToken(offset: number): string {
  return Buffer.from(`${PREFIX}${offset}`).toString('base64url');
}

function decodeToken(token: string): number {
  const s = Buffer.from(token, 'base64url').toString();
  const n = Number(s.slice(PREFIX.length));
  if (!s.startsWith(PREFIX) || !Number.isInteger(n) || n < 0) {
    throw err(400, 'InvalidParameter.NextToken', 'The specified parameter NextToken is not valid.');
  }
  return n;
}

/**
 * Resolves the page a request asks for.
 * `clampMaxResults`: DescribeInstances clamps MaxResults to [10, 100]; Cloud Assistant APIs reject values outside [1, max].
 */
export function resolvePage(p: Params, opts: { max: number; dflt: number; clampMaxResults?: boolean }): Page {
  const token = p.str('NextToken');
  const rawMax = p.str('MaxResults');
  if (token !== undefined || rawMax !== undefined) {
    let size: number;
    if (opts.clampMaxResults) {
      const n = rawMax === undefined ? opts.dflt : Number(rawMax);
      if (!Number.isFinite(n)) throw err(400, 'InvalidParameter.MaxResults', 'The specified MaxResults is not valid.');
      size = Math.min(opts.max, Math.max(opts.dflt, Math.floor(n)));
    } else {
      size =
        p.int('MaxResults', {
          min: 1,
          max: opts.max,
          invalid: err(400, 'InvalidParameter.MaxResults', `The specified MaxResults must be in [1, ${opts.max}].`),
        }) ?? opts.dflt;
    }
    const offset = token === undefined ? 0 : decodeToken(token);
    return { offset, size, pageNumber: Math.floor(offset / size) + 1, tokenMode: true };
  }
  const pageNumber =
    p.int('PageNumber', {
      min: 1,
      invalid: err(400, 'InvalidParam.PageNumber', 'The specified PageNumber is not valid.'),
    }) ?? 1;
  const size =
    p.int('PageSize', {
      min: 1,
      max: opts.max,
      invalid: err(400, 'InvalidParam.PageSize', `The specified PageSize must be in [1, ${opts.max}].`),
    }) ?? opts.dflt;
  return { offset: (pageNumber - 1) * size, size, pageNumber, tokenMode: false };
}

/** Slices `items` for the page; NextToken is '' on the last page. */
export function applyPage<T>(items: T[], page: Page): { items: T[]; nextToken: string } {
  const slice = items.slice(page.offset, page.offset + page.size);
  const end = page.offset + slice.length;
  return { items: slice, nextToken: page.tokenMode && end < items.length ? encodeToken(end) : '' };
}
