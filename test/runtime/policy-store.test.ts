import { mkdir, rename, symlink, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PolicyStore, type PolicySnapshot } from "../../runtime/policy/policy-store.js";
import { waitFor } from "../harness/index.js";
import { DEFAULT_LABELS, makeTempDir } from "./support/runtime.js";

const policyYaml = (generation: number, block = 0.9): string =>
  `kind: Policy\nmetadata: { name: comments, generation: ${generation} }\n` +
  `spec:\n  categories:\n    toxicity: { block: ${block} }\n`;
const INVALID =
  "kind: Policy\nmetadata: { name: comments, generation: 99 }\nspec:\n  categories:\n    toxicity: { flag: 0.9, block: 0.1 }\n";

describe("PolicyStore", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let store: PolicyStore | undefined;
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    store?.close();
    await temp.remove();
  });

  async function open(file: string, pollMs: number, debounceMs = 10) {
    const applied: PolicySnapshot[] = [];
    const rejected: string[] = [];
    store = await PolicyStore.open(file, {
      labels: DEFAULT_LABELS,
      pollMs,
      debounceMs,
      events: { onApplied: (next) => applied.push(next), onRejected: (f) => rejected.push(f.message) },
    });
    return { store, applied, rejected };
  }

  it("fails to open an invalid file with the field at fault", async () => {
    const file = path.join(temp.dir, "policy.yaml");
    await writeFile(file, INVALID);
    await expect(open(file, 0)).rejects.toThrow(/spec\.categories\[toxicity\]\.flag: flag must be <= block/);
  });

  it("hot-reloads an edited file and swaps in the new generation", async () => {
    const file = path.join(temp.dir, "policy.yaml");
    await writeFile(file, policyYaml(1));
    const { store, applied } = await open(file, 50);
    const before = store.current;
    expect(before.generation).toBe(1);

    await writeFile(file, policyYaml(2, 0.5));
    await waitFor("generation 2", async () => store.current.generation === 2, 10_000);
    expect(applied.map((s) => s.generation)).toEqual([2]);
    expect(store.current.engine.decide({ toxicity: 0.6 }, "x", "en").action).toBe("block");
    // The old snapshot is untouched: requests that started under it finish under it.
    expect(before.engine.decide({ toxicity: 0.6 }, "x", "en").action).toBe("allow");
    expect(store.status()).toMatchObject({ name: "comments", generation: 2 });
    expect(store.status().rejected).toBeUndefined();
  });

  it("keeps the old policy when the new file is invalid, reports it once, and recovers", async () => {
    const file = path.join(temp.dir, "policy.yaml");
    await writeFile(file, policyYaml(4));
    const { store, rejected } = await open(file, 50);

    await writeFile(file, INVALID);
    await waitFor("the rejection", async () => store.status().rejected !== undefined, 10_000);
    expect(store.current.generation).toBe(4);
    expect(store.status().rejected?.message).toContain("flag must be <= block");
    // Re-reading the same bad content does not count as a new failure.
    expect(await store.reload()).toBe("rejected");
    expect(await store.reload()).toBe("rejected");
    expect(rejected).toHaveLength(1);

    await writeFile(file, policyYaml(5));
    await waitFor("generation 5", async () => store.current.generation === 5, 10_000);
    expect(store.status().rejected).toBeUndefined();
  });

  it("acts only on content that reads the same twice, so a half-written file is never reported", async () => {
    const file = path.join(temp.dir, "policy.yaml");
    await writeFile(file, policyYaml(1));
    const { store, applied, rejected } = await open(file, 0, 300);
    await writeFile(file, policyYaml(2).slice(0, 30)); // truncated mid-write
    expect(await store.reload()).toBe("pending");
    await writeFile(file, policyYaml(2));
    await waitFor("generation 2", async () => store.current.generation === 2, 10_000);
    expect(rejected).toEqual([]);
    expect(applied.map((s) => s.generation)).toEqual([2]);
  });

  it("keeps the old policy when the file disappears", async () => {
    const file = path.join(temp.dir, "policy.yaml");
    await writeFile(file, policyYaml(1));
    const { store } = await open(file, 50);
    await unlink(file);
    await waitFor("the rejection", async () => store.status().rejected !== undefined, 10_000);
    expect(store.status().rejected?.message).toContain("cannot read: ENOENT");
    expect(store.current.generation).toBe(1);
  });

  it("follows a ConfigMap update (..data symlink swap) by watching the directory, without polling", async () => {
    // The layout kubelet's atomic writer maintains for a ConfigMap volume.
    const mount = temp.dir;
    await mkdir(path.join(mount, "..2024_01_01"));
    await writeFile(path.join(mount, "..2024_01_01", "policy.yaml"), policyYaml(1));
    await symlink("..2024_01_01", path.join(mount, "..data"));
    await symlink("..data/policy.yaml", path.join(mount, "policy.yaml"));
    const { store } = await open(path.join(mount, "policy.yaml"), 0);
    expect(store.current.generation).toBe(1);

    await mkdir(path.join(mount, "..2024_01_02"));
    await writeFile(path.join(mount, "..2024_01_02", "policy.yaml"), policyYaml(2));
    await symlink("..2024_01_02", path.join(mount, "..data_tmp"));
    await rename(path.join(mount, "..data_tmp"), path.join(mount, "..data"));
    await waitFor("generation 2 via the watch", async () => store.current.generation === 2, 10_000);
  });
});
