// Backups in an S3-compatible bucket (moto's S3 server): upload with the manifest last, list,
// restore, refuse a partial or corrupted backup, and retention removing whole backups.
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Store } from "../../runtime/backup/s3-store.js";
import { takeBackup } from "../../runtime/backup/take-backup.js";
import { migrateDecisionLog } from "../../runtime/decisions/migrate.js";
import { PostgresDecisionLog } from "../../runtime/decisions/postgres-decision-log.js";
import { startPostgres, startS3, type TestPostgres, type TestS3 } from "../harness/index.js";
import { createDatabase, decision, decisionsFingerprint, runRuntime } from "./support.js";

let server: TestPostgres;
let s3: TestS3;
let source: string;
let client: S3Client;
const BUCKET = "vigil-backups";
let databases = 0;

beforeAll(async () => {
  [server, s3] = await Promise.all([startPostgres(), startS3()]);
  Object.assign(process.env, s3.env);
  source = await createDatabase(server.url, "source");
  await migrateDecisionLog(source);
  const log = new PostgresDecisionLog({ databaseUrl: source });
  for (let i = 0; i < 250; i++) log.record(decision(i));
  await log.close();
  client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: "us-east-1" });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  client?.destroy();
  await s3?.close();
  await server?.close();
});

const s3Flags = () => ["--s3-endpoint", s3.endpoint, "--s3-force-path-style"];
const store = (prefix: string) =>
  new S3Store(`s3://${BUCKET}/${prefix}`, { endpoint: s3.endpoint, forcePathStyle: true });

describe("S3 destination", () => {
  let name: string;

  it("writes a backup that lists as complete and restores with the same rows", async () => {
    const backup = await runRuntime(["backup", "--to", `s3://${BUCKET}/prod`, ...s3Flags()], {
      DATABASE_URL: source,
      VIGIL_SERVICE_NAME: "comments",
      ...s3.env,
    });
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    const listed = await store("prod").list();
    expect(listed).toHaveLength(1);
    expect(listed[0]!.manifest?.decisions.rows).toBe(250);
    name = listed[0]!.name;

    const target = await createDatabase(server.url, `s3_target_${++databases}`);
    const restore = await runRuntime(
      ["restore", "--from", `s3://${BUCKET}/prod/${name}`, "--to", target, ...s3Flags()],
      s3.env,
    );
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(await decisionsFingerprint(target)).toEqual(await decisionsFingerprint(source));
  });

  it("treats objects without a manifest as incomplete and refuses to restore them", async () => {
    const partial = "comments-20260102T030000Z";
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `prod/${partial}/decisions.dump`, Body: "PGDMP partial" }),
    );
    const listed = await store("prod").list();
    expect(listed.find((b) => b.name === partial)).toMatchObject({
      problem: expect.stringContaining("manifest"),
    });
    expect(listed.find((b) => b.name === partial)?.manifest).toBeUndefined();
    const target = await createDatabase(server.url, `s3_target_${++databases}`);
    const run = await runRuntime(
      ["restore", "--from", `s3://${BUCKET}/prod/${partial}`, "--to", target, ...s3Flags()],
      s3.env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("no manifest.json");
  });

  it("refuses a backup whose dump object was replaced", async () => {
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `prod/${name}/decisions.dump`, Body: "not the dump" }),
    );
    const target = await createDatabase(server.url, `s3_target_${++databases}`);
    const run = await runRuntime(
      ["restore", "--from", `s3://${BUCKET}/prod/${name}`, "--to", target, ...s3Flags()],
      s3.env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("decisions.dump");
  });

  it("prunes expired backups whole and keeps the newest complete one", async () => {
    const bucket = store("retention");
    const at = (iso: string) => () => new Date(iso);
    for (const day of ["2026-01-01", "2026-01-20", "2026-02-10"]) {
      await takeBackup({ databaseUrl: source, store: bucket, prefix: "svc", now: at(`${day}T03:00:00Z`) });
    }
    const result = await takeBackup({
      databaseUrl: source,
      store: bucket,
      prefix: "svc",
      retention: "30d",
      now: at("2026-02-25T03:00:00Z"),
    });
    expect(result.pruned).toEqual(["svc-20260101T030000Z", "svc-20260120T030000Z"]);
    expect((await bucket.list()).map((b) => [b.name, b.manifest !== undefined])).toEqual([
      ["svc-20260210T030000Z", true],
      ["svc-20260225T030000Z", true],
    ]);
  });
});
