// unpackTar on its own: a refused archive settles only after the files node-tar was already
// writing are closed, so the caller can remove the staging directory without racing those
// writes (fetch-model once reported "ENOTEMPTY: rmdir .partial-…" instead of the refusal).
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ArtifactError } from "../../runtime/artifacts/artifact-error.js";
import { Deadline } from "../../runtime/artifacts/deadline.js";
import { unpackTar } from "../../runtime/artifacts/unpack-tar.js";
import { tarArchive } from "./support/archives.js";

const LIMITS = { maxBytes: 1 << 30, maxFiles: 1000 };
const dirs: string[] = [];

async function sizes(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await readdir(dir)) out[name] = (await stat(path.join(dir, name))).size;
  return out;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("unpackTar", () => {
  it("settles a refusal only after the writes already started have finished", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "vigil-unpack-"));
    dirs.push(dir);
    const archive = path.join(dir, "model.tar");
    const target = path.join(dir, "out");
    // Many files, so that many writes are in flight when the bad entry arrives.
    const data = Buffer.alloc(64 << 10, 7);
    const files = Array.from({ length: 400 }, (_, i) => ({ name: `f${i}.bin`, data }));
    await writeFile(
      archive,
      tarArchive([...files, { name: "evil", type: "SymbolicLink", linkpath: "/etc/passwd" }]),
    );
    await mkdir(target);

    const refused = await unpackTar(archive, target, LIMITS, new Deadline(60)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ArtifactError);
    expect(refused).toMatchObject({
      reason: "ArtifactInvalid",
      message: expect.stringMatching(/absolute path/),
    });

    // Whatever was written is complete and nothing is still being written.
    const settled = await sizes(target);
    for (const size of Object.values(settled)) expect(size).toBe(data.length);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sizes(target)).toEqual(settled);
    // And the staging directory can be removed at once (the old race: ENOTEMPTY).
    await expect(rm(target, { recursive: true })).resolves.toBeUndefined();
  });
});
