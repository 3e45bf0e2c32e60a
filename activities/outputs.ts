// Command output as the workflow keeps it: decoded, and cut to a byte budget so history stays bounded.

export interface CappedOutput {
  output: string;
  outputTruncated: boolean;
}

/** Decodes the cloud's base64 output and keeps at most `maxBytes` bytes of it (on a UTF-8 boundary). */
export function capOutput(base64: string | undefined, maxBytes: number): CappedOutput {
  const bytes = Buffer.from(base64 ?? '', 'base64');
  if (bytes.length <= maxBytes) return { output: bytes.toString('utf8'), outputTruncated: false };
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so a character is never split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { output: bytes.subarray(0, end).toString('utf8'), outputTruncated: true };
}
