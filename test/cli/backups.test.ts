// `vigil backups list` and `vigil restore` against real backups of a real decision log.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryStore } from "../../runtime/backup/directory-store.js";
import { takeBackup } from "../../runtime/backup/take-backup.js";
import { migrateDecisionLog } from "../../runtime/decisions/migrate.js";
import { PostgresDecisionLog } from "../../runtime/decisions/postgres-decision-log.js";
import { createDatabase, decision, decisionsFingerprint } from "../backup/support.js";
import { startPostgres, type TestPostgres } from "../harness/index.js";
import { runVigil } from "./support.js";

let server: TestPostgres;
let source: string;
let destination: string;
let name: string;

beforeAll(async () => {
  server = await startPostgres();
  source = await createDatabase(server.url, "source");
  await migrateDecisionLog(source);
  const log = new PostgresDecisionLog({ databaseUrl: source });
  for (let i = 0; i < 120; i++) log.record(decision(i));
  await log.close();
  destination = path.join(await mkdtemp(path.join(tmpdir(), "vigil-cli-backups-")), "pvc");
  ({ name } = await takeBackup({
    databaseUrl: source,
    store: new DirectoryStore(destination),
    prefix: "comments",
  }));
  // A backup that never finished: files, no manifest.
  await mkdir(path.join(destination, "comments-20260101T030000Z"));
  await writeFile(path.join(destination, "comments-20260101T030000Z", "decisions.dump"), "PGDMP");
});
afterAll(async () => {
  await server?.close();
});

describe("vigil backups list", () => {
  it("shows complete backups with their decisions and incomplete ones as such", async () => {
    const run = await runVigil(["backups", "list", destination]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+COMPLETED\s+SIZE\s+DETAIL$/);
    expect(lines.find((l) => l.startsWith("comments-20260101T030000Z"))).toMatch(
      /INCOMPLETE.*no manifest\.json/,
    );
    expect(lines.find((l) => l.startsWith(name))).toMatch(/complete .*120 decisions/);
  });

  it("names a destination directory that does not exist in one line", async () => {
    const run = await runVigil(["backups", "list", `${destination}-typo`]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([`vigil: ${destination}-typo does not exist`]);
  });
});

describe("vigil restore", () => {
  it("restores a backup into a new database and prints what it restored", async () => {
    const target = await createDatabase(server.url, "restored");
    const run = await runVigil(["restore", path.join(destination, name), "--to", target]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("vigil_decisions: 120 rows");
    expect(await decisionsFingerprint(target)).toEqual(await decisionsFingerprint(source));
  });

  it("refuses an incomplete backup with one line", async () => {
    const target = await createDatabase(server.url, "never");
    const run = await runVigil([
      "restore",
      path.join(destination, "comments-20260101T030000Z"),
      "--to",
      target,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^vigil: .*no manifest\.json/)]);
  });
});
