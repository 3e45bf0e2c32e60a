// Command output: the 24 KB cap with `Dropped`, simulated filler, and the Base64/PlainText encodings.
import type { Behavior } from './scenario';

/** Cloud Assistant keeps at most 24 KB of output per instance. */
export const OUTPUT_LIMIT = 24 * 1024;

/** Collects a stream of chunks, keeping the first OUTPUT_LIMIT bytes and counting the rest. */
export class OutputCollector {
  private chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  push(chunk: Buffer): void {
    const room = OUTPUT_LIMIT - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
  }

  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const fillerCache = new Map<number, Buffer>();

/** Deterministic filler of `n` bytes: 64-byte lines. Cached (capped) so a fleet shares one buffer. */
function filler(n: number): Buffer {
  const kept = Math.min(n, OUTPUT_LIMIT);
  let b = fillerCache.get(kept);
  if (!b) {
    const line = `${'simulated output '.repeat(4).slice(0, 63)}\n`;
    b = Buffer.from(line.repeat(Math.ceil(kept / 64)).slice(0, kept));
    fillerCache.set(kept, b);
  }
  return b;
}

/** Renders a simulated behaviour's output: kept bytes and how many were dropped. */
export function simulatedOutput(b: Behavior): { kept: Buffer; dropped: number } {
  if (b.outputBytes !== undefined)
    return { kept: filler(b.outputBytes), dropped: Math.max(0, b.outputBytes - OUTPUT_LIMIT) };
  const full = Buffer.from(b.output ?? '');
  return { kept: full.subarray(0, OUTPUT_LIMIT), dropped: Math.max(0, full.length - OUTPUT_LIMIT) };
}

/** ContentEncoding: Base64 unless PlainText is asked for (case-insensitive). */
export function encode(buf: Buffer, encoding: string | undefined): string {
  return encoding?.toLowerCase() === 'plaintext' ? buf.toString('utf8') : buf.toString('base64');
}
