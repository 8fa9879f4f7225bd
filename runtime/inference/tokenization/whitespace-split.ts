// The WhitespaceSplit pre-tokenizer (XLM-R and other SentencePiece conversions) as the Rust
// `tokenizers` library does it: split on char::is_whitespace, the Unicode White_Space property.
// The JS library splits on JS \s, which also splits at U+FEFF and not at U+0085 (NEL).
import { PreTokenizer } from "./library-classes.js";

export class ExactWhitespaceSplit extends PreTokenizer {
  override pre_tokenize_text(text: string): string[] {
    return text.split(/\p{White_Space}+/u).filter((word) => word !== "");
  }
}
