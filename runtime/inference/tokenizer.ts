// Turns a batch of texts into the int64 tensors a Hugging Face classifier takes, using the
// model's own tokenizer.json through @huggingface/tokenizers (the maintained JS port of the
// `tokenizers` library; works offline from the file), with Vigil's exact normalizers and
// pre-tokenizers where that port only approximates the Rust library (tokenization/). The batch is padded to its longest item,
// not to a fixed length, and items longer than the model's limit are truncated keeping the
// closing special token ([SEP], </s>) the model was trained to see, or (maxWindows > 1) split
// into overlapping windows that are each scored.
import { Tokenizer } from "@huggingface/tokenizers";
import { useExactPipeline } from "./tokenization/exact-pipeline.js";

export interface EncodedBatch {
  batchSize: number;
  sequenceLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array | undefined;
}

export interface BatchTokenizerOptions {
  maxLength: number;
  withTokenTypeIds: boolean;
  /** Models with a fixed sequence axis get every batch padded to exactly this length. */
  fixedLength?: number | undefined;
  /**
   * A text longer than the model's limit is scored in up to this many overlapping windows
   * (each within the limit); past them the rest is truncated. 1: truncate only. Default 1.
   */
  maxWindows?: number;
  /** Tokens per window (special tokens included), at most the model's limit. Default: the limit. */
  windowLength?: number | undefined;
}

export interface TokenizedText {
  ids: number[];
  typeIds: number[] | undefined;
  /** Windows of a long text: the text's content tokens (special tokens not counted) this one holds. */
  contentTokens?: TokenRange;
}

/** Content tokens [from, to) of a text. */
export interface TokenRange {
  from: number;
  to: number;
}

/** Code point offsets [start, end) in a text. */
export interface CharacterSpan {
  start: number;
  end: number;
}

/** A whitespace run and the word after it: the unit a token count is mapped back to characters at. */
const WORDS = /(\p{White_Space}*)[^\p{White_Space}]+/gu;

/** Code points in text[0, end) (end a UTF-16 index). */
function codePoints(text: string, end: number): number {
  let count = 0;
  for (const _ of text.slice(0, end)) count++;
  return count;
}

type JsonObject = Record<string, unknown>;

function tokenContent(token: unknown): string | undefined {
  if (typeof token === "string") return token;
  if (typeof token === "object" && token !== null && typeof (token as JsonObject).content === "string") {
    return (token as JsonObject).content as string;
  }
  return undefined;
}

export class BatchTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly padId: number;
  private readonly specialIds: Set<number>;

  constructor(
    tokenizerJson: JsonObject,
    tokenizerConfig: JsonObject,
    private readonly options: BatchTokenizerOptions,
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    useExactPipeline(this.tokenizer, tokenizerJson);
    const padding = tokenizerJson.padding as JsonObject | null | undefined;
    const padToken = tokenContent(tokenizerConfig.pad_token) ?? (padding?.pad_token as string | undefined);
    this.padId =
      (typeof padding?.pad_id === "number" ? padding.pad_id : undefined) ??
      (padToken !== undefined ? this.tokenizer.token_to_id(padToken) : undefined) ??
      0;
    this.specialIds = new Set(
      [...this.tokenizer.get_added_tokens_decoder()].filter(([, token]) => token.special).map(([id]) => id),
    );
  }

  /**
   * One row per window of a text: the whole text when it fits; otherwise overlapping windows of
   * its content tokens, each wrapped in the text's own leading and closing special tokens, so
   * every window looks to the model like a text it was trained on. A quarter of each window
   * overlaps the next, so a phrase cut by one boundary is whole in the neighbouring window.
   */
  windows(text: string): TokenizedText[] {
    const maxWindows = this.options.maxWindows ?? 1;
    const max = this.options.fixedLength ?? this.options.maxLength;
    if (maxWindows <= 1) return [this.tokenize(text)];
    const encoding = this.tokenizer.encode(text, {
      add_special_tokens: true,
      return_token_type_ids: this.options.withTokenTypeIds,
    });
    const ids = encoding.ids;
    if (ids.length <= max) return [{ ids, typeIds: encoding.token_type_ids }];
    // A fixed sequence axis takes exactly its length; otherwise a window may be shorter.
    const length = this.options.fixedLength ?? Math.min(max, this.options.windowLength ?? max);
    let start = 0;
    while (start < ids.length && this.specialIds.has(ids[start]!)) start++;
    let end = ids.length;
    while (end > start && this.specialIds.has(ids[end - 1]!)) end--;
    const prefix = ids.slice(0, start);
    const suffix = ids.slice(end);
    const width = length - prefix.length - suffix.length;
    if (width < 4) return [this.tokenize(text)];
    const step = width - Math.floor(width / 4);
    const typeId = encoding.token_type_ids?.[0] ?? 0;
    const rows: TokenizedText[] = [];
    for (let from = start; from < end && rows.length < maxWindows; from += step) {
      const windowIds = [...prefix, ...ids.slice(from, Math.min(from + width, end)), ...suffix];
      rows.push({
        ids: windowIds,
        typeIds: encoding.token_type_ids ? windowIds.map(() => typeId) : undefined,
        contentTokens: { from: from - start, to: Math.min(from + width, end) - start },
      });
      if (from + width >= end) break;
    }
    return rows;
  }

  /**
   * Where content token ranges of `text` lie in it, at word precision: each word (with the
   * whitespace before it) is tokenised on its own and the counts added up, which is how all
   * three tokenizer families split a text before their model sees it. Only for texts scored in
   * several windows, after scoring: it costs about one more tokenisation of the text.
   */
  characterSpans(text: string, ranges: readonly TokenRange[]): CharacterSpan[] {
    const wordStarts: number[] = [];
    const wordEnds: number[] = [];
    const tokensThrough: number[] = [];
    // Words repeat (Zipf), and one encode() per distinct word is most of the cost.
    const countOf = new Map<string, number>();
    let tokens = 0;
    for (const match of text.matchAll(WORDS)) {
      const word = match[0];
      let count = countOf.get(word);
      if (count === undefined) {
        const encoded: number = this.tokenizer.encode(word, { add_special_tokens: false }).ids.length;
        countOf.set(word, encoded);
        count = encoded;
      }
      tokens += count;
      const end = match.index + word.length;
      wordStarts.push(match.index + match[1]!.length);
      wordEnds.push(end);
      tokensThrough.push(tokens);
    }
    if (tokensThrough.length === 0)
      return ranges.map(() => ({ start: 0, end: codePoints(text, text.length) }));
    /** The word holding content token `token` (the last word past the end). */
    const wordOf = (token: number): number => {
      let low = 0;
      let high = tokensThrough.length - 1;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (tokensThrough[mid]! > token) high = mid;
        else low = mid + 1;
      }
      return low;
    };
    return ranges.map(({ from, to }) => ({
      start: codePoints(text, wordStarts[wordOf(from)]!),
      end: codePoints(text, wordEnds[wordOf(Math.max(from, to - 1))]!),
    }));
  }

  /** Token ids of one text with special tokens, truncated to the model's limit. */
  tokenize(text: string): TokenizedText {
    const encoding = this.tokenizer.encode(text, {
      add_special_tokens: true,
      return_token_type_ids: this.options.withTokenTypeIds,
    });
    let ids = encoding.ids;
    let typeIds = encoding.token_type_ids;
    const max = this.options.fixedLength ?? this.options.maxLength;
    if (ids.length > max) {
      const last = ids[ids.length - 1]!;
      const keepLast = this.specialIds.has(last);
      ids = keepLast ? [...ids.slice(0, max - 1), last] : ids.slice(0, max);
      typeIds =
        typeIds &&
        (keepLast ? [...typeIds.slice(0, max - 1), typeIds[typeIds.length - 1]!] : typeIds.slice(0, max));
    }
    return { ids, typeIds };
  }

  encode(texts: readonly string[]): EncodedBatch {
    return this.pack(texts.map((t) => this.tokenize(t)));
  }

  /** Pads tokenised rows to the longest of them (or the model's fixed length) as tensors. */
  pack(rows: readonly TokenizedText[]): EncodedBatch {
    const sequenceLength = this.options.fixedLength ?? Math.max(1, ...rows.map((r) => r.ids.length));
    const size = rows.length * sequenceLength;
    const inputIds = new BigInt64Array(size).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(size);
    const tokenTypeIds = this.options.withTokenTypeIds ? new BigInt64Array(size) : undefined;
    rows.forEach((row, r) => {
      const offset = r * sequenceLength;
      row.ids.forEach((id, i) => {
        inputIds[offset + i] = BigInt(id);
        attentionMask[offset + i] = 1n;
        if (tokenTypeIds) tokenTypeIds[offset + i] = BigInt(row.typeIds?.[i] ?? 0);
      });
    });
    return { batchSize: rows.length, sequenceLength, inputIds, attentionMask, tokenTypeIds };
  }

  /** Whether rows of different lengths can run as separate, shorter batches. */
  get dynamicLength(): boolean {
    return this.options.fixedLength === undefined;
  }
}
