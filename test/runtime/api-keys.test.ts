// API key sources: a mounted Secret directory (file name = key name, Secret bookkeeping
// skipped) and a local file (`key` or `name key` per line), review rights by name, and reloads.
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiKeyStore } from "../../runtime/auth/api-keys.js";
import { Authenticator } from "../../runtime/auth/authenticator.js";
import { makeTempDir } from "./support/runtime.js";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => temp.remove());

/** The layout kubelet writes for a Secret volume: timestamped dir, ..data link, one link per key. */
async function secretVolume(keys: Record<string, string>): Promise<string> {
  const dir = path.join(temp.dir, "secret");
  const version = path.join(dir, "..2026_01_01_00_00_00.123");
  await mkdir(version, { recursive: true });
  for (const [name, key] of Object.entries(keys)) await writeFile(path.join(version, name), key);
  await symlink(path.basename(version), path.join(dir, "..data"));
  for (const name of Object.keys(keys)) await symlink(path.join("..data", name), path.join(dir, name));
  return dir;
}

describe("ApiKeyStore", () => {
  it("reads a Secret volume: one key per file, named by the file, bookkeeping entries skipped", async () => {
    const dir = await secretVolume({ "mobile-app": "k-mobile\n", "alice.review": "k-alice", empty: "  \n" });
    const store = await ApiKeyStore.load({ dir });
    expect(store.names).toEqual(["alice.review", "mobile-app"]);
    expect(store.match("k-mobile")).toEqual({ name: "mobile-app", canReview: false });
    expect(store.match("k-alice")).toEqual({ name: "alice.review", canReview: true });
    expect(store.match("k-mobile ")).toBeUndefined();
    expect(store.match("k-mobil")).toBeUndefined();
    expect(store.match("")).toBeUndefined();
  });

  it("reads a key file: `key` or `name key` per line, comments and blank lines ignored", async () => {
    const file = path.join(temp.dir, "keys.txt");
    await writeFile(file, "# local keys\n\nplain-key-1\nbob.review   key-of-bob\r\n");
    const store = await ApiKeyStore.load({ file });
    expect(store.size).toBe(2);
    expect(store.match("plain-key-1")).toEqual({
      name: expect.stringMatching(/^key-[0-9a-f]{8}$/),
      canReview: false,
    });
    expect(store.match("key-of-bob")).toEqual({ name: "bob.review", canReview: true });
    expect(store.describe()).toBe(`2 API key(s) from ${file}`);
  });

  it("fails to load from a missing source, and keeps its keys when a reload fails", async () => {
    await expect(ApiKeyStore.load({ dir: path.join(temp.dir, "absent") })).rejects.toThrow(/ENOENT/);
    const file = path.join(temp.dir, "keys.txt");
    await writeFile(file, "k1\n");
    const store = await ApiKeyStore.load({ file });
    await rm(file);
    await expect(store.reload()).rejects.toThrow(/ENOENT/);
    expect(store.match("k1")).toBeDefined();
  });
});

describe("Authenticator", () => {
  it("with nothing configured lets everyone in, identified by IP, with review rights (local runs)", async () => {
    const auth = await Authenticator.open({ apiKeysDir: undefined, apiKeysFile: undefined, jwt: undefined });
    expect(auth.enabled).toBe(false);
    expect(await auth.authenticate({}, "10.0.0.7")).toEqual({
      ok: true,
      principal: { id: "ip:10.0.0.7", canReview: true },
    });
  });

  it("names the unreadable source in one line", async () => {
    await expect(
      Authenticator.open({ apiKeysDir: path.join(temp.dir, "nope"), apiKeysFile: undefined, jwt: undefined }),
    ).rejects.toThrow(/^cannot read API keys: ENOENT: no such file or directory, scandir '.*nope'$/);
  });
});
