import fc from 'fast-check';

/**
 * Any code point from U+0000 to U+10FFFF, surrogate halves included (String.fromCodePoint(0xd800) is a lone
 * one), weighted towards those that break things: C0 controls (NUL among them), DEL and C1, surrogate halves,
 * and a few with a meaning of their own (BOM, bidi overrides, zero width space, noncharacters, U+FFFD).
 *
 * Why the earlier arbitraries missed issue 14 (NUL → 500): fast-check's string units are 'grapheme' (well
 * formed text without control characters), 'binary' (every code point *except* surrogate halves) or ASCII,
 * and fc.json()/fc.jsonValue() draw their strings from those; the one NUL there was, '%00', went through
 * encodeURIComponent and arrived as the three characters "%00", on random query keys. No case ever put a NUL
 * where a query used it.
 */
export const anyCodePoint: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0x00, max: 0x1f }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x7f, max: 0x9f }) },
    { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
    { weight: 1, arbitrary: fc.constantFrom(0xfeff, 0x202e, 0x2066, 0x200b, 0xfffd, 0xfffe, 0xffff, 0x10ffff) },
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 0x10ffff }) },
  )
  .map((codePoint) => String.fromCodePoint(codePoint));

/** Strings of any code points (see anyCodePoint). */
export const anyText = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: anyCodePoint, maxLength });

/** Any JSON value whose strings (keys too) are made of any code points. */
export const anyJsonValue = (maxDepth = 2): fc.Arbitrary<unknown> => fc.jsonValue({ maxDepth, stringUnit: anyCodePoint });

const bytesOf = (codeUnit: number) => [0xe0 | (codeUnit >> 12), 0x80 | ((codeUnit >> 6) & 0x3f), 0x80 | (codeUnit & 0x3f)];
const hexBytes = (bytes: Iterable<number>) => [...bytes].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/**
 * Percent-encodes text for a URL or a cookie as a hostile client would: UTF-8 bytes, and a lone surrogate as
 * the three bytes UTF-8 forbids for it (%ED%A0%80), since encodeURIComponent refuses to encode one.
 */
export function percentEncoded(text: string): string {
  let encoded = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) encoded += hexBytes(bytesOf(code));
    else if (/^[A-Za-z0-9_.~-]$/.test(char)) encoded += char;
    else encoded += hexBytes(Buffer.from(char, 'utf8'));
  }
  return encoded;
}
