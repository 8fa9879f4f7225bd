// Language identification with `eld` (Efficient Language Detector: n-gram based, 60 languages,
// ISO 639-1 codes). Its databases trade memory for accuracy on very short texts; the smallest
// keeps the pod inside its memory budget and is accurate on sentences (99% on tweets per its
// benchmarks). Texts it cannot place (empty, digits only, some very short ones) and guesses it
// is unsure of are "und": a wrong guess would apply another language's policy overrides.
import { eld } from "eld";

export const LANGUAGE_DATABASES = ["extrasmall", "small", "medium", "large"] as const;
export type LanguageDatabase = (typeof LANGUAGE_DATABASES)[number];

/** ISO 639-2 "undetermined". */
export const UNDETERMINED = "und";

interface LoadableDetector {
  load(size: string): Promise<unknown>;
  detect(text: string): { language: string; isReliable(): boolean; getScores(): Record<string, number> };
  info(): { Languages: Record<number, string> };
}

/**
 * A guess whose best score leads the runner-up by less than this is reported as "und", so the
 * default policy applies instead of another language's overrides. On the project's 2757
 * labelled texts in 8 languages (hack/data) it cuts wrong guesses from 67 to 12 while 239
 * instead of 84 texts become "und"; on texts of 25 characters or fewer, 49 -> 7 wrong.
 */
export const MIN_SCORE_MARGIN = 0.05;

export class LanguageDetector {
  private constructor(
    private readonly detector: LoadableDetector,
    readonly database: LanguageDatabase,
  ) {}

  static async load(database: LanguageDatabase = "extrasmall"): Promise<LanguageDetector> {
    const detector = (eld as unknown as { newInstance(): LoadableDetector }).newInstance();
    await detector.load(database);
    return new LanguageDetector(detector, database);
  }

  /** The ISO 639-1 codes it can report. */
  get languages(): string[] {
    return Object.values(this.detector.info().Languages);
  }

  detect(text: string): string {
    const result = this.detector.detect(text);
    if (!result.language || !result.isReliable()) return UNDETERMINED;
    const scores = result.getScores();
    // The two highest scores in one pass: no array of every language's score, no sort.
    let best = 0;
    let runnerUp = 0;
    for (const language in scores) {
      const score = scores[language]!;
      if (score > best) {
        runnerUp = best;
        best = score;
      } else if (score > runnerUp) {
        runnerUp = score;
      }
    }
    return best - runnerUp < MIN_SCORE_MARGIN ? UNDETERMINED : result.language;
  }
}
