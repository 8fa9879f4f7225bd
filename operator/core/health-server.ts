// The operator's probe and metrics endpoint: /healthz (the process serves requests),
// /readyz (informer caches have synced) and /metrics (Prometheus text format).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthServerOptions {
  /** "[host]:port"; port 0 picks a free one. */
  bindAddress: string;
  ready: () => { ok: boolean; detail: string };
  registry: Registry;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Parses ":8081", "0.0.0.0:8081", "[::1]:8081", "localhost:0". */
export function parseBindAddress(address: string): { host?: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid bind address "${address}": expected [host]:port, e.g. :8081`);
  }
  const host = match[1] ?? match[2];
  return { host: host || undefined, port };
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { host, port } = parseBindAddress(options.bindAddress);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz" || path === "/livez") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const { ok, detail } = options.ready();
      res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain" }).end(`${detail}\n`);
    } else if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": options.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { "Content-Type": "text/plain" }).end(`${String(err)}\n`),
      );
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
