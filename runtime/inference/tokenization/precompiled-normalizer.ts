// The tokenizer.json `Precompiled` normalizer, backed by Vigil's exact charsmap interpreter
// instead of the JS library's NFKC approximation.
import { Normalizer } from "./library-classes.js";
import { PrecompiledCharsmap } from "./precompiled-charsmap.js";

export interface PrecompiledNormalizerConfig {
  type: "Precompiled";
  /** Base64; empty or null when the SentencePiece model normalizes nothing. */
  precompiled_charsmap?: string | null;
}

export class ExactPrecompiledNormalizer extends Normalizer {
  private readonly charsmap: PrecompiledCharsmap | undefined;

  constructor(config: PrecompiledNormalizerConfig) {
    super(config as unknown as Record<string, unknown>);
    this.charsmap = config.precompiled_charsmap
      ? PrecompiledCharsmap.fromBase64(config.precompiled_charsmap)
      : undefined;
  }

  override normalize(text: string): string {
    return this.charsmap ? this.charsmap.normalize(text) : text;
  }
}
