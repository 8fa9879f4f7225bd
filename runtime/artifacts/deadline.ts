// The one time bound over a whole fetch (download, retries, unpacking, checks): every step
// takes the same AbortSignal, so the fetch fails with ArtifactTimeout wherever it is stuck.
import { ArtifactError } from "./artifact-error.js";

export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;

  constructor(
    readonly seconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.endsAt = now() + seconds * 1000;
    this.timer = setTimeout(() => this.controller.abort(this.error()), seconds * 1000);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  error(detail = ""): ArtifactError {
    return new ArtifactError(
      "ArtifactTimeout",
      `the artifact was not fetched and verified within ${this.seconds}s${detail ? ` (${detail})` : ""}`,
    );
  }

  /** Throws ArtifactTimeout once the time is up; called between steps that cannot take a signal. */
  check(): void {
    if (this.controller.signal.aborted || this.remainingMs() === 0) throw this.error();
  }

  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
    this.check();
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
