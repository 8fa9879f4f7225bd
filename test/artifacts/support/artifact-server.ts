// A local HTTP server a test scripts path by path: each request to a path is answered by the
// next handler queued for it (the last one repeats), and every request is recorded.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface RecordedRequest {
  path: string;
  at: number;
  authorization: string | undefined;
}

export class ArtifactServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Handler[]>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<ArtifactServer> {
    const server = http.createServer();
    const artifacts = new ArtifactServer(server);
    server.on("request", (req, res) => artifacts.handle(req, res));
    server.on("connection", (socket) => {
      artifacts.sockets.add(socket);
      socket.on("close", () => artifacts.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return artifacts;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string, host = "127.0.0.1"): string {
    return `http://${host}:${this.port}${path}`;
  }

  /** Answers requests to `path` with these handlers in turn; the last one answers all later requests. */
  on(path: string, ...handlers: Handler[]): this {
    this.routes.set(path, handlers);
    return this;
  }

  hits(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    this.requests.push({ path, at: Date.now(), authorization: req.headers.authorization });
    const handlers = this.routes.get(path);
    if (!handlers || handlers.length === 0) return notFound(req, res);
    const handler = handlers.length > 1 ? handlers.shift()! : handlers[0]!;
    handler(req, res);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const body =
  (data: Buffer | string, headers: http.OutgoingHttpHeaders = {}): Handler =>
  (_req, res) => {
    res.writeHead(200, { "content-length": Buffer.byteLength(data), ...headers });
    res.end(data);
  };

export const status =
  (code: number, headers: http.OutgoingHttpHeaders = {}): Handler =>
  (_req, res) => {
    res.writeHead(code, headers);
    res.end(`status ${code}`);
  };

export const notFound: Handler = (_req, res) => {
  res.writeHead(404);
  res.end("not found");
};

/** Declares the whole length, sends the first `sent` bytes, then drops the connection. */
export const truncated =
  (data: Buffer, sent: number): Handler =>
  (_req, res) => {
    res.writeHead(200, { "content-length": data.length });
    res.write(data.subarray(0, sent), () => res.socket?.destroy());
  };

/** Sends the headers and a few bytes, then nothing more (until the test closes the server). */
export const stalls =
  (data: Buffer): Handler =>
  (_req, res) => {
    res.writeHead(200, { "content-length": data.length });
    res.write(data.subarray(0, 16));
  };

/** No content-length: chunked, so only the bytes received can tell the size. */
export const chunked =
  (data: Buffer): Handler =>
  (_req, res) => {
    res.writeHead(200, { "transfer-encoding": "chunked" });
    res.end(data);
  };

export const requireAuthorization =
  (expected: string, then: Handler): Handler =>
  (req, res) => {
    if (req.headers.authorization !== expected) return status(401)(req, res);
    then(req, res);
  };

export const redirect =
  (location: string): Handler =>
  (_req, res) => {
    res.writeHead(302, { location });
    res.end();
  };
