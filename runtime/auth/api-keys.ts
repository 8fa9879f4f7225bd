// API keys from a mounted Secret (VIGIL_API_KEYS_DIR: every file is one key, named by its file
// name) or a local file (VIGIL_API_KEYS_FILE: one key per line, `key` or `name key`). Only
// SHA-256 digests are kept in memory, and a presented key is compared against every digest
// with crypto.timingSafeEqual, without stopping at a match, so the time taken says nothing
// about which key (or how much of one) matched.
// A key whose name ends in `.review` may also use the review queue (/v1/decisions).
import { hash, timingSafeEqual } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

export const REVIEW_KEY_SUFFIX = ".review";

export interface ApiKey {
  /** The Secret key (file) name, or `key-<first 8 hex of its sha256>` for an unnamed key. */
  name: string;
  canReview: boolean;
}

interface Entry extends ApiKey {
  digest: Buffer;
}

export interface ApiKeySource {
  dir?: string | undefined;
  file?: string | undefined;
}

// One-shot (no Hash object): it runs for every authenticated request.
const digestOf = (key: string): Buffer => hash("sha256", key, "buffer");

function entry(name: string, key: string): Entry {
  return { name, canReview: name.endsWith(REVIEW_KEY_SUFFIX), digest: digestOf(key) };
}

async function fromDir(dir: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  // Secret volumes hold `..data` and timestamped dirs next to one symlink per key: skip dotfiles.
  for (const name of (await readdir(dir)).filter((n) => !n.startsWith(".")).sort()) {
    const file = path.join(dir, name);
    if (!(await stat(file)).isFile()) continue;
    const key = (await readFile(file, "utf8")).trim();
    if (key) entries.push(entry(name, key));
  }
  return entries;
}

async function fromFile(file: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const raw of (await readFile(file, "utf8")).split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [first, ...rest] = line.split(/\s+/);
    const key = rest.length > 0 ? rest.join(" ") : first!;
    const name = rest.length > 0 ? first! : `key-${digestOf(key).toString("hex").slice(0, 8)}`;
    entries.push(entry(name, key));
  }
  return entries;
}

export class ApiKeyStore {
  private entries: Entry[] = [];

  private constructor(private readonly source: ApiKeySource) {}

  /** Reads the keys; a missing or unreadable source throws (the caller fails the start). */
  static async load(source: ApiKeySource): Promise<ApiKeyStore> {
    const store = new ApiKeyStore(source);
    await store.reload();
    return store;
  }

  get size(): number {
    return this.entries.length;
  }

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  describe(): string {
    const where = [this.source.dir, this.source.file].filter(Boolean).join(" and ");
    return `${this.size} API key(s) from ${where}`;
  }

  /** Re-reads the source (Secret rotation); on error the previous keys stay and the error is thrown. */
  async reload(): Promise<void> {
    const next = [
      ...(this.source.dir ? await fromDir(this.source.dir) : []),
      ...(this.source.file ? await fromFile(this.source.file) : []),
    ];
    this.entries = next;
  }

  match(presented: string): ApiKey | undefined {
    const digest = digestOf(presented);
    let found: Entry | undefined;
    for (const candidate of this.entries) {
      if (timingSafeEqual(digest, candidate.digest) && !found) found = candidate;
    }
    return found ? { name: found.name, canReview: found.canReview } : undefined;
  }
}
