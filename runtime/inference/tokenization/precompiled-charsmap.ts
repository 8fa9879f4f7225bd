// SentencePiece's `precompiled_charsmap` (the `Precompiled` normalizer of a tokenizer.json),
// interpreted exactly as the Rust `tokenizers` library that transformers runs does. The JS
// tokenizer library ignores the charsmap and approximates it with NFKC plus a few replacements,
// which changes ids for zero-width joiners, emoji sequences, combining marks and more.
//
// The blob: a little-endian u32 byte size of the trie, the trie (a Darts-clone double array of
// u32 units keyed by UTF-8 bytes), then the replacement strings, each ended by a NUL byte. A trie
// value is the byte offset of its replacement in that string pool.

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Replacements are looked up for a whole grapheme cluster only when it is this short (bytes). */
const WHOLE_GRAPHEME_MAX_BYTES = 5;

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** Appends the UTF-8 bytes of a code point to `out` from `at`; returns the index after them. */
function writeUtf8(codePoint: number, out: Uint8Array, at: number): number {
  if (codePoint < 0x80) {
    out[at] = codePoint;
    return at + 1;
  }
  if (codePoint < 0x800) {
    out[at] = 0xc0 | (codePoint >> 6);
    out[at + 1] = 0x80 | (codePoint & 0x3f);
    return at + 2;
  }
  if (codePoint < 0x10000) {
    out[at] = 0xe0 | (codePoint >> 12);
    out[at + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
    out[at + 2] = 0x80 | (codePoint & 0x3f);
    return at + 3;
  }
  out[at] = 0xf0 | (codePoint >> 18);
  out[at + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
  out[at + 3] = 0x80 | (codePoint & 0x3f);
  return at + 4;
}

export class PrecompiledCharsmap {
  private readonly units: Uint32Array;
  private readonly pool: Uint8Array;
  private readonly replacements = new Map<number, string>();
  private readonly scratch = new Uint8Array(WHOLE_GRAPHEME_MAX_BYTES + 4);

  constructor(blob: Uint8Array) {
    if (blob.length < 4) throw new Error("precompiled_charsmap: shorter than its header");
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieBytes = view.getUint32(0, true);
    if (trieBytes % 4 !== 0 || 4 + trieBytes > blob.length || trieBytes === 0) {
      throw new Error(`precompiled_charsmap: a trie of ${trieBytes} bytes does not fit the blob`);
    }
    this.units = new Uint32Array(trieBytes / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + 4 * i, true);
    this.pool = blob.subarray(4 + trieBytes);
  }

  static fromBase64(base64: string): PrecompiledCharsmap {
    return new PrecompiledCharsmap(Buffer.from(base64, "base64"));
  }

  /**
   * The replacement of the shortest key that is a prefix of bytes[0, length), or undefined when
   * none is. The shortest, not the longest: `tokenizers` takes the first common-prefix result
   * and replaces the whole chunk with it, and that is the behaviour transformers users get.
   */
  private firstPrefixReplacement(bytes: Uint8Array, length: number): string | undefined {
    const units = this.units;
    let node = this.offset(units[0]!);
    for (let i = 0; i < length; i++) {
      const byte = bytes[i]!;
      if (byte === 0) return undefined;
      node ^= byte;
      const unit = units[node];
      // label: the low byte plus the top bit, which marks a leaf unit and so never matches a byte.
      if (unit === undefined || (unit & 0x800000ff) >>> 0 !== byte) return undefined;
      node ^= this.offset(unit);
      if ((unit >>> 8) & 1) return this.replacementAt(units[node]! & 0x7fffffff);
    }
    return undefined;
  }

  private offset(unit: number): number {
    return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
  }

  private replacementAt(index: number): string {
    let replacement = this.replacements.get(index);
    if (replacement === undefined) {
      let end = index;
      while (end < this.pool.length && this.pool[end] !== 0) end++;
      replacement = UTF8.decode(this.pool.subarray(index, end));
      this.replacements.set(index, replacement);
    }
    return replacement;
  }

  /**
   * Text as the charsmap normalizes it. Per extended grapheme cluster: a cluster of under 6
   * UTF-8 bytes with a replacement is replaced whole; otherwise each of its code points is
   * replaced by its own replacement or kept. (SentencePiece itself matches the longest prefix
   * of the remaining bytes; `tokenizers` does it this way and transformers follows it.)
   */
  normalize(text: string): string {
    let out = "";
    const bytes = this.scratch;
    for (const { segment } of GRAPHEMES.segment(text)) {
      let length = 0;
      for (const char of segment) {
        const codePoint = char.codePointAt(0)!;
        length += utf8Length(codePoint);
        if (length > WHOLE_GRAPHEME_MAX_BYTES) break;
        writeUtf8(codePoint, bytes, length - utf8Length(codePoint));
      }
      if (length <= WHOLE_GRAPHEME_MAX_BYTES) {
        const whole = this.firstPrefixReplacement(bytes, length);
        if (whole !== undefined) {
          out += whole;
          continue;
        }
      }
      for (const char of segment) {
        const end = writeUtf8(char.codePointAt(0)!, bytes, 0);
        out += this.firstPrefixReplacement(bytes, end) ?? char;
      }
    }
    return out;
  }
}
