// Backups in a directory, one sub-directory each. A backup is staged in a hidden
// `.partial-<name>-<random>` directory on the same filesystem, every file and directory is
// fsynced, and one rename makes it visible: a crash leaves either nothing or a hidden partial
// directory, never a directory with a manifest and missing data.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  BackupNotFoundError,
  missingOrWrongSize,
  type BackupStore,
  type OpenedBackup,
  type StoredBackup,
} from "./backup-store.js";
import { InvalidBackupError, MANIFEST_FILE, parseManifest, type BackupManifest } from "./manifest.js";

const PARTIAL_PREFIX = ".partial-";

async function fsyncPath(p: string, directory = false): Promise<void> {
  const handle = await open(p, directory ? constants.O_RDONLY | constants.O_DIRECTORY : constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Every file under `dir`, relative, `/`-separated, with its size. */
async function walk(dir: string, base = ""): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const entry of await readdir(path.join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [k, v] of await walk(dir, rel)) sizes.set(k, v);
    else if (entry.isFile()) sizes.set(rel, (await stat(path.join(dir, rel))).size);
  }
  return sizes;
}

async function newestMtime(dir: string): Promise<Date> {
  let newest = (await stat(dir)).mtime;
  for (const rel of (await walk(dir)).keys()) {
    const m = (await stat(path.join(dir, rel))).mtime;
    if (m > newest) newest = m;
  }
  return newest;
}

export class DirectoryStore implements BackupStore {
  readonly location: string;

  constructor(private readonly root: string) {
    this.location = root;
  }

  async list(): Promise<StoredBackup[]> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const backups: StoredBackup[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(this.root, entry.name);
      const modifiedAt = await newestMtime(dir);
      if (entry.name.startsWith(PARTIAL_PREFIX)) {
        backups.push({ name: entry.name, problem: "interrupted: never published", modifiedAt });
        continue;
      }
      if (entry.name.startsWith(".")) continue;
      try {
        const manifest = parseManifest(await readFile(path.join(dir, MANIFEST_FILE), "utf8"), entry.name);
        const problem = missingOrWrongSize(manifest, await walk(dir));
        backups.push(
          problem ? { name: entry.name, problem, modifiedAt } : { name: entry.name, manifest, modifiedAt },
        );
      } catch (error) {
        const problem =
          (error as NodeJS.ErrnoException).code === "ENOENT" ? "no manifest.json" : (error as Error).message;
        backups.push({ name: entry.name, problem, modifiedAt });
      }
    }
    return backups.sort((a, b) => a.name.localeCompare(b.name));
  }

  async stage(name: string): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const dir = path.join(this.root, `${PARTIAL_PREFIX}${name}-${randomBytes(4).toString("hex")}`);
    await mkdir(dir);
    return dir;
  }

  async publish(name: string, stagingDir: string, manifest: BackupManifest): Promise<void> {
    const final = path.join(this.root, name);
    if (await stat(final).catch(() => undefined))
      throw new Error(`a backup named ${name} already exists in ${this.root}`);
    for (const file of manifest.files) await fsyncPath(path.join(stagingDir, file.path));
    await writeFile(path.join(stagingDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await fsyncPath(path.join(stagingDir, MANIFEST_FILE));
    const dirs = new Set(manifest.files.map((f) => path.dirname(f.path)).filter((d) => d !== "."));
    for (const dir of dirs) await fsyncPath(path.join(stagingDir, dir), true);
    await fsyncPath(stagingDir, true);
    await rename(stagingDir, final);
    await fsyncPath(this.root, true);
  }

  async discard(stagingDir: string): Promise<void> {
    await rm(stagingDir, { recursive: true, force: true });
  }

  async open(name: string): Promise<OpenedBackup> {
    const dir = path.join(this.root, name);
    if (!(await stat(path.join(dir, MANIFEST_FILE)).catch(() => undefined))) {
      if (await stat(dir).catch(() => undefined))
        throw new InvalidBackupError(`${name}: no manifest.json: the backup is incomplete`);
      throw new BackupNotFoundError(`no backup ${name} in ${this.root}`);
    }
    return { dir, release: async () => undefined };
  }

  async remove(name: string): Promise<void> {
    const dir = path.join(this.root, name);
    await rm(path.join(dir, MANIFEST_FILE), { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
