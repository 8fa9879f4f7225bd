// Holds the Policy in force and hot-reloads it. Kubelet updates a ConfigMap mount by writing a
// new timestamped directory and atomically re-pointing the `..data` symlink; the policy.yaml
// link itself never changes, so a watch on it sees nothing. The store watches the *directory*
// and re-reads the file on any event there (plus a slow poll in case an event is missed), acts
// on new content once a second read confirms it (files edited in place can be read half
// written), and swaps in a fully compiled snapshot in one assignment. Requests hold the
// snapshot they started with. An invalid new file keeps the old policy and is reported
// (status(), metrics, logs).
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Policy } from "../../crds/index.js";
import { PolicyFileError } from "../errors.js";
import { PolicyEngine } from "./policy-engine.js";
import { parsePolicy, readPolicyFile, type LoadedPolicy } from "./policy-file.js";

export interface PolicySnapshot {
  name: string;
  generation: number;
  fingerprint: string;
  policy: Policy;
  engine: PolicyEngine;
  loadedAt: Date;
}

export interface PolicyReloadFailure {
  message: string;
  at: Date;
  /** Set when the failure was not a bad file but an unexpected error (a bug): log its stack. */
  error?: unknown;
}

export interface PolicyStoreStatus {
  file: string;
  name: string;
  generation: number;
  fingerprint: string;
  loadedAt: string;
  /** Set while the file on disk is invalid and the previous policy is still applied. */
  rejected?: { message: string; at: string };
  unknownCategories: string[];
}

export interface PolicyStoreEvents {
  onApplied?(snapshot: PolicySnapshot, previous: PolicySnapshot): void;
  onRejected?(failure: PolicyReloadFailure): void;
}

/** "pending": new content seen once; it is applied or rejected when a re-read confirms it. */
export type ReloadOutcome = "unchanged" | "pending" | "applied" | "rejected";

export interface PolicyStoreOptions {
  /** Model labels the engine maps scores from. */
  labels: readonly string[];
  /** Re-read interval in case a file-system event is missed; 0 disables polling. */
  pollMs?: number;
  /** Wait after an event so a burst of writes is read once. */
  debounceMs?: number;
  events?: PolicyStoreEvents;
}

export class PolicyStore {
  private snapshot: PolicySnapshot;
  private content: string;
  private rejected: { content: string; failure: PolicyReloadFailure } | undefined;
  /** New content read once, waiting for a confirming read. */
  private candidate: string | undefined;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading: Promise<ReloadOutcome> | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    content: string,
    loaded: LoadedPolicy,
    private readonly options: PolicyStoreOptions,
  ) {
    this.content = content;
    this.snapshot = this.compile(loaded);
  }

  /** Loads the file (throws PolicyFileError when it is invalid) and starts watching it. */
  static async open(file: string, options: PolicyStoreOptions): Promise<PolicyStore> {
    const { content, loaded } = await readPolicyFile(file);
    const store = new PolicyStore(file, content, loaded, options);
    store.startWatching();
    return store;
  }

  get current(): PolicySnapshot {
    return this.snapshot;
  }

  status(): PolicyStoreStatus {
    const s = this.snapshot;
    return {
      file: this.file,
      name: s.name,
      generation: s.generation,
      fingerprint: s.fingerprint,
      loadedAt: s.loadedAt.toISOString(),
      ...(this.rejected
        ? { rejected: { message: this.rejected.failure.message, at: this.rejected.failure.at.toISOString() } }
        : {}),
      unknownCategories: s.engine.unknownCategories,
    };
  }

  /** Re-reads the file now; concurrent calls share one read. */
  reload(): Promise<ReloadOutcome> {
    this.reloading ??= this.readAndSwap().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.poller);
    clearTimeout(this.debounce);
  }

  private compile(loaded: LoadedPolicy): PolicySnapshot {
    return {
      name: loaded.name,
      generation: loaded.generation,
      fingerprint: loaded.fingerprint,
      policy: loaded.policy,
      engine: new PolicyEngine(loaded.policy.spec, this.options.labels),
      loadedAt: new Date(),
    };
  }

  private async readAndSwap(): Promise<ReloadOutcome> {
    let content: string;
    let readError: string | undefined;
    try {
      content = await readFile(this.file, "utf8");
    } catch (e) {
      readError = `${this.file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
      content = `\u0000${readError}`;
    }
    if (content === this.content) {
      // Back to the applied content (e.g. a bad edit was reverted): nothing is rejected any more.
      this.rejected = undefined;
      this.candidate = undefined;
      return "unchanged";
    }
    // A file being written in place (not swapped atomically as kubelet does) can be read half
    // written: act only on content that reads the same twice, a debounce interval apart.
    if (content !== this.candidate && content !== this.rejected?.content) {
      this.candidate = content;
      this.schedule();
      return "pending";
    }
    this.candidate = undefined;
    if (readError !== undefined) return this.reject(readError, content);
    let loaded: LoadedPolicy;
    try {
      loaded = parsePolicy(this.file, content);
    } catch (e) {
      if (e instanceof PolicyFileError) return this.reject(e.message, content);
      return this.reject(`${this.file}: unexpected error while loading: ${(e as Error).message}`, content, e);
    }
    let next: PolicySnapshot;
    try {
      next = this.compile(loaded);
    } catch (e) {
      return this.reject(`${this.file}: cannot compile: ${(e as Error).message}`, content, e);
    }
    const previous = this.snapshot;
    this.snapshot = next;
    this.content = content;
    this.rejected = undefined;
    this.options.events?.onApplied?.(next, previous);
    return "applied";
  }

  private reject(message: string, content: string, error?: unknown): ReloadOutcome {
    // Report each distinct bad revision once, not on every poll.
    if (this.rejected?.content !== content) {
      const failure: PolicyReloadFailure = { message, at: new Date(), ...(error !== undefined && { error }) };
      this.rejected = { content, failure };
      this.options.events?.onRejected?.(failure);
    }
    return "rejected";
  }

  /** Re-reads the file once events stop arriving for a debounce interval. */
  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(
      // reload() reports every failure it knows through reject(); anything still escaping is
      // a bug, reported the same way (logs, metrics, /ready) rather than swallowed.
      () =>
        void this.reload().catch((error: unknown) =>
          this.reject(
            `${this.file}: unexpected error while reloading: ${(error as Error).message}`,
            `\u0000${String(error)}`,
            error,
          ),
        ),
      this.options.debounceMs ?? 50,
    );
  }

  private startWatching(): void {
    const schedule = (): void => this.schedule();
    try {
      this.watcher = watch(path.dirname(this.file), { persistent: false }, schedule);
      this.watcher.on("error", () => undefined);
    } catch {
      // Watching can fail (e.g. inotify limits); the poll below still picks changes up.
    }
    const pollMs = this.options.pollMs ?? 5000;
    if (pollMs > 0) {
      this.poller = setInterval(schedule, pollMs);
      this.poller.unref();
    }
  }
}
