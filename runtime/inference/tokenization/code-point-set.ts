// A set of code points held as sorted inclusive ranges, for the Unicode classes a tokenizer
// must take from its reference implementation's tables rather than from the JS engine's.

export class CodePointSet {
  private readonly firsts: Uint32Array;
  private readonly lasts: Uint32Array;

  /** `flatRanges`: [first0, last0, first1, last1, ...], sorted and disjoint. */
  constructor(flatRanges: readonly number[]) {
    const count = flatRanges.length / 2;
    this.firsts = new Uint32Array(count);
    this.lasts = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      this.firsts[i] = flatRanges[2 * i]!;
      this.lasts[i] = flatRanges[2 * i + 1]!;
    }
  }

  has(codePoint: number): boolean {
    let low = 0;
    let high = this.firsts.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (codePoint < this.firsts[mid]!) high = mid - 1;
      else if (codePoint > this.lasts[mid]!) low = mid + 1;
      else return true;
    }
    return false;
  }
}
