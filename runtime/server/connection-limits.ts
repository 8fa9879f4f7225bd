// What the listener allows a connection: how long a client may take to send its request
// (slowloris), how long an idle keep-alive connection stays open, and how many connections
// there may be. Node enforces the request timeouts on a timer; checking every second instead
// of its default 30 s makes a timeout mean what it says.
import type { Server } from "node:http";
import type { FastifyHttpOptions } from "fastify";

export interface ConnectionLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

const CHECK_INTERVAL_MS = 1000;

export function connectionServerOptions(limits: ConnectionLimits): FastifyHttpOptions<Server> {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, limits.headersTimeoutMs),
      // A request without Host is answered by our own hook with the documented JSON body
      // instead of Node's empty 400.
      requireHostHeader: false,
    },
  };
}

export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
}
