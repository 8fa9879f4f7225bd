// Language identification with `eld` (Efficient Language Detector: n-gram based, 60 languages,
// ISO 639-1 codes). Its databases trade memory for accuracy on very short texts; the smallest
// keeps the pod inside its memory budget and is accurate on sentences (99% on tweets per its
// benchmarks). Texts it cannot place (empty, digits only, some very short ones) are "und".
import { eld } from "eld";

export const LANGUAGE_DATABASES = ["extrasmall", "small", "medium", "large"] as const;
export type LanguageDatabase = (typeof LANGUAGE_DATABASES)[number];

/** ISO 639-2 "undetermined". */
export const UNDETERMINED = "und";

interface LoadableDetector {
  load(size: string): Promise<unknown>;
  detect(text: string): { language: string };
  info(): { Languages: Record<number, string> };
}

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
    return this.detector.detect(text).language || UNDETERMINED;
  }
}
