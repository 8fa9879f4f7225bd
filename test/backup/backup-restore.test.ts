// Backup and restore of the decision log against a real Postgres and the real pg_dump and
// pg_restore, through the `vigil-runtime` binary as the backup Job and an operator run it.
import { cp, mkdir, mkdtemp, open, readdir, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DirectoryStore } from "../../runtime/backup/directory-store.js";
import { parseManifest, type BackupManifest } from "../../runtime/backup/manifest.js";
import { takeBackup } from "../../runtime/backup/take-backup.js";
import { migrateDecisionLog } from "../../runtime/decisions/migrate.js";
import { PostgresDecisionLog } from "../../runtime/decisions/postgres-decision-log.js";
import { startPostgres, type TestPostgres } from "../harness/index.js";
import {
  createDatabase,
  decision,
  decisionsFingerprint,
  gatedPostgresTools,
  openGate,
  query,
  runRuntime,
  startRuntime,
  waitForFile,
} from "./support.js";

const ROWS = 600;
let server: TestPostgres;
let source: string;
let work: string;
let resourcesDir: string;
let databases = 0;

const newDatabase = () => createDatabase(server.url, `target_${++databases}`);

async function writeDecisions(url: string, from: number, count: number): Promise<void> {
  const log = new PostgresDecisionLog({ databaseUrl: url, batchSize: 200 });
  for (let i = from; i < from + count; i++) log.record(decision(i, i % 5 === 0 ? "block" : "allow"));
  await log.drain();
  await log.close();
}

const RESOURCES = {
  "moderationservice.yaml": {
    apiVersion: "moderation.vigil.dev/v1alpha1",
    kind: "ModerationService",
    metadata: {
      name: "comments",
      namespace: "trust",
      uid: "0b4d2c9e-1111-2222-3333-444455556666",
      resourceVersion: "4711",
      generation: 3,
      creationTimestamp: "2026-01-01T00:00:00Z",
      managedFields: [{ manager: "kubectl", operation: "Apply" }],
      labels: { team: "trust" },
    },
    spec: { modelRef: { name: "toxic" }, policyRef: { name: "comments" } },
    status: { observedGeneration: 3 },
  },
  "modeldeployment.yaml": {
    apiVersion: "moderation.vigil.dev/v1alpha1",
    kind: "ModelDeployment",
    metadata: { name: "toxic", namespace: "trust", uid: "u2", resourceVersion: "12" },
    spec: {
      model: {
        name: "toxic-bert",
        version: "3.1.0",
        source: { uri: "https://models.example.com/toxic-3.1.0.tar", sha256: "a".repeat(64) },
      },
    },
    status: { phase: "Active" },
  },
  "policy.yaml": {
    apiVersion: "moderation.vigil.dev/v1alpha1",
    kind: "Policy",
    metadata: { name: "comments", namespace: "trust", uid: "u3" },
    spec: { categories: { toxicity: { flag: 0.5, block: 0.9 } } },
  },
};

beforeAll(async () => {
  server = await startPostgres();
  source = await createDatabase(server.url, "source");
  await migrateDecisionLog(source);
  await writeDecisions(source, 0, ROWS);
  work = await mkdtemp(path.join(tmpdir(), "vigil-backup-test-"));
  resourcesDir = path.join(work, "resources");
  await mkdir(resourcesDir);
  for (const [file, doc] of Object.entries(RESOURCES)) {
    await writeFile(path.join(resourcesDir, file), JSON.stringify(doc));
  }
});
afterAll(async () => {
  await server?.close();
});

async function readManifest(dir: string): Promise<BackupManifest> {
  return parseManifest(await readFile(path.join(dir, "manifest.json"), "utf8"), dir);
}

const oneLine = (text: string) => text.trim().split("\n").length === 1;

describe("vigil-runtime backup and restore", () => {
  let backupDir: string;

  it("backs up the decision log, the resources without server fields and the model manifest", async () => {
    const destination = path.join(work, "pvc");
    const terminationLog = path.join(work, "termination-log");
    const run = await runRuntime(["backup", "--to", destination, "--resources-dir", resourcesDir], {
      DATABASE_URL: source,
      VIGIL_SERVICE_NAME: "comments",
      POD_NAMESPACE: "trust",
      VIGIL_TERMINATION_LOG: terminationLog,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const [name] = (await readdir(destination)).filter((n) => !n.startsWith("."));
    expect(name).toMatch(/^comments-\d{8}T\d{6}Z$/);
    backupDir = path.join(destination, name!);

    const manifest = await readManifest(backupDir);
    expect(manifest.decisions).toEqual({
      rows: ROWS,
      oldest: "2026-01-01T00:00:00.000Z",
      newest: new Date(Date.UTC(2026, 0, 1) + (ROWS - 1) * 1000).toISOString(),
    });
    expect(manifest.tables).toEqual({ vigil_decisions: ROWS, vigil_migrations: 1 });
    expect(manifest.service).toEqual({ name: "comments", namespace: "trust" });
    expect(manifest.model).toEqual({
      name: "toxic-bert",
      version: "3.1.0",
      uri: "https://models.example.com/toxic-3.1.0.tar",
      sha256: "a".repeat(64),
    });
    expect(manifest.postgres.serverVersion).toMatch(/^\d+\.\d+/);
    expect(manifest.postgres.pgDumpVersion).toMatch(/^\d+\.\d+/);
    expect(manifest.files.map((f) => f.path).sort()).toEqual([
      "decisions.dump",
      "model.json",
      "resources/modeldeployment-toxic.yaml",
      "resources/moderationservice-comments.yaml",
      "resources/policy-comments.yaml",
    ]);
    for (const file of manifest.files)
      expect((await stat(path.join(backupDir, file.path))).size).toBe(file.size);

    const saved = parse(
      await readFile(path.join(backupDir, "resources/moderationservice-comments.yaml"), "utf8"),
    );
    expect(saved).toEqual({
      apiVersion: "moderation.vigil.dev/v1alpha1",
      kind: "ModerationService",
      metadata: { name: "comments", namespace: "trust", labels: { team: "trust" } },
      spec: RESOURCES["moderationservice.yaml"].spec,
    });

    const message = JSON.parse(await readFile(terminationLog, "utf8"));
    expect(message).toMatchObject({ reason: "BackupCompleted", name, rows: ROWS });
    expect(message.size).toBe(manifest.files.reduce((s, f) => s + f.size, 0));
  });

  it("restores into a new database: same rows, same checksum, and says what it restored", async () => {
    const target = await newDatabase();
    const run = await runRuntime(["restore", "--from", backupDir, "--to", target], {});
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`vigil_decisions: ${ROWS} rows`);
    expect(run.stdout).toContain("vigil_migrations: 1 rows");
    expect(run.stdout).toContain("decisions from 2026-01-01T00:00:00.000Z to");
    expect(await decisionsFingerprint(target)).toEqual(await decisionsFingerprint(source));
    // The restored log is one the runtime can keep writing to: migrations see it as current.
    expect((await migrateDecisionLog(target)).applied).toEqual([]);
  });

  it("refuses a database that holds tables unless --force, which replaces the decision log", async () => {
    const target = await newDatabase();
    await query(target, "CREATE TABLE unrelated (x int)");
    const refused = await runRuntime(["restore", "--from", backupDir, "--to", target], {});
    expect(refused.code).toBe(1);
    expect(oneLine(refused.stderr)).toBe(true);
    expect(refused.stderr).toMatch(/not empty.*--force/);
    expect(await query(target, "SELECT to_regclass('vigil_decisions') AS t")).toEqual([{ t: null }]);

    const forced = await runRuntime(["restore", "--from", backupDir, "--to", target, "--force"], {});
    expect(forced.code).toBe(0);
    expect(await decisionsFingerprint(target)).toEqual(await decisionsFingerprint(source));
  });

  it("refuses a corrupted dump with one line and restores nothing", async () => {
    const copy = path.join(work, "corrupt", path.basename(backupDir));
    await cp(backupDir, copy, { recursive: true });
    const dump = path.join(copy, "decisions.dump");
    const handle = await open(dump, "r+");
    const { size } = await handle.stat();
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, Math.floor(size / 2));
    await handle.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, Math.floor(size / 2));
    await handle.close();
    const target = await newDatabase();
    const run = await runRuntime(["restore", "--from", copy, "--to", target], {});
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/decisions\.dump.*sha256/);
    expect(await query(target, "SELECT to_regclass('vigil_decisions') AS t")).toEqual([{ t: null }]);
  });

  it("refuses a truncated dump and a truncated manifest with one line each", async () => {
    const copy = path.join(work, "truncated", path.basename(backupDir));
    await cp(backupDir, copy, { recursive: true });
    const dump = path.join(copy, "decisions.dump");
    await truncate(dump, Math.floor((await stat(dump)).size / 2));
    const target = await newDatabase();
    const run = await runRuntime(["restore", "--from", copy, "--to", target], {});
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/decisions\.dump is \d+ bytes, the manifest says \d+/);

    const manifestCut = path.join(work, "manifest-cut", path.basename(backupDir));
    await cp(backupDir, manifestCut, { recursive: true });
    const manifestFile = path.join(manifestCut, "manifest.json");
    await truncate(manifestFile, Math.floor((await stat(manifestFile)).size / 2));
    const cut = await runRuntime(["restore", "--from", manifestCut, "--to", target], {});
    expect(cut.code).toBe(1);
    expect(oneLine(cut.stderr)).toBe(true);
    expect(cut.stderr).toMatch(/manifest\.json is not valid JSON/);
    expect(await query(target, "SELECT to_regclass('vigil_decisions') AS t")).toEqual([{ t: null }]);
  });

  it("leaves nothing that looks complete when killed after the dump, before publishing", async () => {
    const destination = path.join(work, "killed");
    const tools = await gatedPostgresTools();
    await openGate(tools.gate, "go");
    const { child, done } = startRuntime(["backup", "--to", destination, "--resources-dir", resourcesDir], {
      DATABASE_URL: source,
      VIGIL_SERVICE_NAME: "comments",
      VIGIL_PG_BIN_DIR: tools.binDir,
    });
    await waitForFile(path.join(tools.gate, "dumped"));
    process.kill(-child.pid!, "SIGKILL");
    expect((await done).signal).toBe("SIGKILL");

    const listed = await new DirectoryStore(destination).list();
    expect(listed.length).toBe(1);
    expect(listed[0]!.manifest).toBeUndefined();
    expect(listed[0]!.name.startsWith(".partial-")).toBe(true);
    expect((await readdir(destination)).filter((n) => !n.startsWith("."))).toEqual([]);
  });

  it("is consistent while decisions are written during the dump: the manifest count is what restores", async () => {
    const live = await createDatabase(server.url, "live");
    await migrateDecisionLog(live);
    await writeDecisions(live, 0, 300);
    const tools = await gatedPostgresTools();
    const destination = path.join(work, "concurrent");
    const backup = takeBackup({
      databaseUrl: live,
      store: new DirectoryStore(destination),
      prefix: "live",
      env: { ...process.env, VIGIL_PG_BIN_DIR: tools.binDir },
    });
    // The snapshot is taken and counted; pg_dump has started but not read anything yet.
    await waitForFile(path.join(tools.gate, "started"));
    await writeDecisions(live, 300, 250);
    await openGate(tools.gate, "go");
    await openGate(tools.gate, "finish");
    const result = await backup;

    expect(result.manifest.decisions.rows).toBe(300);
    expect((await decisionsFingerprint(live)).rows).toBe(550);
    const target = await newDatabase();
    const run = await runRuntime(
      ["restore", "--from", path.join(destination, result.name), "--to", target],
      {},
    );
    expect(run.code).toBe(0);
    expect((await decisionsFingerprint(target)).rows).toBe(result.manifest.decisions.rows);
    const [newest] = await query<{ n: Date }>(target, "SELECT max(decided_at) AS n FROM vigil_decisions");
    expect(newest!.n.toISOString()).toBe(result.manifest.decisions.newest);
  });

  it("fails with a reason in the termination message when the database is unreachable", async () => {
    const terminationLog = path.join(work, "termination-unreachable");
    const run = await runRuntime(["backup", "--to", path.join(work, "unreachable")], {
      DATABASE_URL: "postgres://vigil:vigil@127.0.0.1:1/nothing",
      VIGIL_TERMINATION_LOG: terminationLog,
    });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe(true);
    const message = JSON.parse(await readFile(terminationLog, "utf8"));
    expect(message.reason).toBe("DatabaseUnreachable");
    expect(await new DirectoryStore(path.join(work, "unreachable")).list()).toEqual([]);
  });
});
