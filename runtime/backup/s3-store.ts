// Backups in an S3-compatible bucket (AWS S3, Ceph RGW, GCS interop, ...) through the AWS SDK
// v3. Objects are `<prefix><name>/<file>`; manifest.json is uploaded after every other object
// and is the completion marker, and removed first. Credentials come from the SDK's default
// chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the credentials Secret in the Job).
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
} from "@aws-sdk/client-s3";
import {
  BackupNotFoundError,
  missingOrWrongSize,
  type BackupStore,
  type OpenedBackup,
  type StoredBackup,
} from "./backup-store.js";
import { InvalidBackupError, MANIFEST_FILE, parseManifest, type BackupManifest } from "./manifest.js";

export interface S3Options {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
}

/** `s3://bucket/some/prefix` -> bucket and a prefix that is empty or ends with `/`. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match || !match[1]) throw new Error(`${url} is not an s3://bucket[/prefix] URL`);
  const prefix = match[2]!.replace(/\/+$/, "");
  return { bucket: match[1], prefix: prefix ? `${prefix}/` : "" };
}

async function listedFiles(stagingDir: string, base = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(stagingDir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listedFiles(stagingDir, rel)));
    else files.push(rel);
  }
  return files;
}

export class S3Store implements BackupStore {
  readonly location: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;

  constructor(url: string, options: S3Options = {}) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(url));
    this.location = `s3://${this.bucket}/${this.prefix}`;
    // The SDK warns on every Node 20 process (it will require 22 from 2027); Vigil's engines are
    // Node 20, and a multi-line warning would break the CLIs' one-line error contract.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    this.client = new S3Client({
      region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
      ...(options.endpoint && { endpoint: options.endpoint }),
      ...(options.forcePathStyle !== undefined && { forcePathStyle: options.forcePathStyle }),
    });
  }

  private async objects(prefix: string): Promise<_Object[]> {
    const all: _Object[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      all.push(...(page.Contents ?? []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return all;
  }

  private async getText(key: string): Promise<string> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return (await response.Body?.transformToString("utf8")) ?? "";
  }

  async list(): Promise<StoredBackup[]> {
    const groups = new Map<string, _Object[]>();
    for (const object of await this.objects(this.prefix)) {
      const rest = (object.Key ?? "").slice(this.prefix.length);
      const slash = rest.indexOf("/");
      if (slash <= 0) continue;
      const name = rest.slice(0, slash);
      groups.set(name, [...(groups.get(name) ?? []), object]);
    }
    const backups: StoredBackup[] = [];
    for (const [name, objects] of groups) {
      const modifiedAt = new Date(Math.max(...objects.map((o) => o.LastModified?.getTime() ?? 0)));
      const sizes = new Map(
        objects.map((o) => [(o.Key ?? "").slice(this.prefix.length + name.length + 1), o.Size ?? 0]),
      );
      if (!sizes.has(MANIFEST_FILE)) {
        backups.push({ name, problem: "no manifest.json (interrupted or failed)", modifiedAt });
        continue;
      }
      try {
        const manifest = parseManifest(await this.getText(`${this.prefix}${name}/${MANIFEST_FILE}`), name);
        const problem = missingOrWrongSize(manifest, sizes);
        backups.push(problem ? { name, problem, modifiedAt } : { name, manifest, modifiedAt });
      } catch (error) {
        backups.push({ name, problem: (error as Error).message, modifiedAt });
      }
    }
    return backups.sort((a, b) => a.name.localeCompare(b.name));
  }

  async stage(name: string): Promise<string> {
    return mkdtemp(path.join(tmpdir(), `vigil-backup-${name}-`));
  }

  async publish(name: string, stagingDir: string, manifest: BackupManifest): Promise<void> {
    try {
      const files = await listedFiles(stagingDir);
      for (const file of files) {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: `${this.prefix}${name}/${file}`,
            Body: createReadStream(path.join(stagingDir, file)),
            ContentLength: (await stat(path.join(stagingDir, file))).size,
          }),
        );
      }
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${this.prefix}${name}/${MANIFEST_FILE}`,
          Body: `${JSON.stringify(manifest, null, 2)}\n`,
          ContentType: "application/json",
        }),
      );
    } finally {
      await this.discard(stagingDir);
    }
  }

  async discard(stagingDir: string): Promise<void> {
    await rm(stagingDir, { recursive: true, force: true });
  }

  async open(name: string): Promise<OpenedBackup> {
    const objects = await this.objects(`${this.prefix}${name}/`);
    if (objects.length === 0) throw new BackupNotFoundError(`no backup ${name} in ${this.location}`);
    if (!objects.some((o) => o.Key === `${this.prefix}${name}/${MANIFEST_FILE}`))
      throw new InvalidBackupError(`${name}: no manifest.json: the backup is incomplete`);
    const dir = await mkdtemp(path.join(tmpdir(), `vigil-restore-${name}-`));
    try {
      for (const object of objects) {
        const rel = object.Key!.slice(this.prefix.length + name.length + 1);
        if (rel.split("/").includes("..")) continue;
        const target = path.join(dir, rel);
        await mkdir(path.dirname(target), { recursive: true });
        const response = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: object.Key }),
        );
        await pipeline(response.Body as Readable, createWriteStream(target));
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return { dir, release: () => rm(dir, { recursive: true, force: true }) };
  }

  async remove(name: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${name}/${MANIFEST_FILE}` }),
    );
    const keys = (await this.objects(`${this.prefix}${name}/`)).map((o) => ({ Key: o.Key! }));
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + 1000), Quiet: true },
        }),
      );
    }
  }

  close(): void {
    this.client.destroy();
  }
}
