// Archives for fetch-model tests: good ones built from a model directory with node-tar, and
// hostile ones written byte by byte (tar headers via node-tar's Header, zip by hand) because
// well-behaved writers refuse to produce them.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { deflateRawSync, gzipSync } from "node:zlib";
import { Header } from "tar";

export interface Entry {
  name: string;
  data?: Buffer;
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice";
  linkpath?: string;
  mode?: number;
}

export const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

export async function directoryEntries(dir: string, prefix = ""): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    entries.push({ name: `${prefix}${name}`, data: await readFile(path.join(dir, name)) });
  }
  return entries;
}

function block(data: Buffer): Buffer {
  const padding = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(padding)]);
}

export function tarArchive(entries: readonly Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const type = entry.type ?? "File";
    const header = new Header({
      path: entry.name,
      type,
      size: type === "File" ? data.length : 0,
      mode: entry.mode ?? (type === "Directory" ? 0o755 : 0o644),
      mtime: new Date(0),
      ...(entry.linkpath !== undefined && { linkpath: entry.linkpath }),
    });
    const encoded = Buffer.alloc(512);
    header.encode(encoded, 0);
    parts.push(encoded);
    if (type === "File") parts.push(block(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export const tgzArchive = (entries: readonly Entry[]): Buffer => gzipSync(tarArchive(entries));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface ZipEntry extends Entry {
  /** Lie in the headers about the uncompressed size. */
  declaredSize?: number;
}

/** A deflate zip; symlinks carry S_IFLNK in the external attributes like Info-ZIP writes them. */
export function zipArchive(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw =
      entry.type === "SymbolicLink" ? Buffer.from(entry.linkpath ?? "") : (entry.data ?? Buffer.alloc(0));
    const compressed = deflateRawSync(raw);
    const name = Buffer.from(entry.name);
    const size = entry.declaredSize ?? raw.length;
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const mode = entry.type === "SymbolicLink" ? 0o120777 : entry.name.endsWith("/") ? 0o40755 : 0o100644;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
