// BERT's pre-tokenizer as the Rust `tokenizers` BertPreTokenizer does it: split on whitespace
// (dropped) and on punctuation (each mark a word of its own), with the Rust implementation's
// classes (bert-unicode-tables.ts) instead of the JS engine's \s and \p{P}, which are newer.
import { CodePointSet } from "./code-point-set.js";
import { PreTokenizer } from "./library-classes.js";
import { PRE_TOKENIZER_PUNCTUATION, PRE_TOKENIZER_WHITESPACE } from "./bert-unicode-tables.js";

const whitespace = new CodePointSet(PRE_TOKENIZER_WHITESPACE);
const punctuation = new CodePointSet(PRE_TOKENIZER_PUNCTUATION);

export class ExactBertPreTokenizer extends PreTokenizer {
  override pre_tokenize_text(text: string): string[] {
    const words: string[] = [];
    let word = "";
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      if (whitespace.has(codePoint) || punctuation.has(codePoint)) {
        if (word) words.push(word);
        word = "";
        if (!whitespace.has(codePoint)) words.push(char);
      } else {
        word += char;
      }
    }
    if (word) words.push(word);
    return words;
  }
}
