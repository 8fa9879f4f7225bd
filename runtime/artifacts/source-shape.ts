// The shapes of http(s) artifact the fetcher understands, told apart by the URI's path:
//   …/model.tar.gz, …/model.tgz, …/model.tar, …/model.zip   an archive of the model directory;
//       sha256 is the archive file's digest, checked before anything is unpacked.
//   …/<name>.onnx                                            the ONNX file, saved as model.onnx,
//       with the sidecars config.json and tokenizer.json (required) and tokenizer_config.json
//       (optional) fetched from the same directory URL;
//   …/ (a trailing slash)                                    the same, with the file model.onnx.
// For the last two, sha256 is the canonical manifest digest of the resulting directory
// (dir-manifest.ts), the same digest a pvc:// directory has.
import { ArtifactError } from "./artifact-error.js";

export type ArchiveFormat = "tar" | "tar.gz" | "zip";

export type SourceShape =
  | { kind: "archive"; url: string; format: ArchiveFormat }
  | { kind: "files"; files: { url: string; name: string; required: boolean }[] };

export const REQUIRED_SIDECARS = ["config.json", "tokenizer.json"] as const;
export const OPTIONAL_SIDECARS = ["tokenizer_config.json"] as const;

export function archiveFormat(pathname: string): ArchiveFormat | undefined {
  const lower = pathname.toLowerCase();
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return "tar.gz";
  if (lower.endsWith(".tar")) return "tar";
  if (lower.endsWith(".zip")) return "zip";
  return undefined;
}

export function sourceShape(uri: string): SourceShape {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ArtifactError("ArtifactUnreachable", `${uri}: not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ArtifactError(
      "ArtifactUnreachable",
      `${uri}: fetch-model downloads http:// and https:// URLs only`,
    );
  const format = archiveFormat(url.pathname);
  if (format) return { kind: "archive", url: url.href, format };
  const isDirectory = url.pathname.endsWith("/");
  if (!isDirectory && !url.pathname.toLowerCase().endsWith(".onnx")) {
    throw new ArtifactError(
      "ArtifactInvalid",
      `${url.origin}${url.pathname}: unsupported artifact; expected .tar.gz, .tgz, .tar, .zip, .onnx or a directory URL ending in '/'`,
    );
  }
  const sibling = (name: string): string => {
    const u = new URL(name, url);
    // A presigned query string belongs to one object; siblings use the directory URL's query.
    u.search = url.search;
    return u.href;
  };
  return {
    kind: "files",
    files: [
      { url: isDirectory ? sibling("model.onnx") : url.href, name: "model.onnx", required: true },
      ...REQUIRED_SIDECARS.map((name) => ({ url: sibling(name), name, required: true })),
      ...OPTIONAL_SIDECARS.map((name) => ({ url: sibling(name), name, required: false })),
    ],
  };
}
