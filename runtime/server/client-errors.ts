// Errors Node's HTTP parser raises before a request reaches fastify (malformed request line,
// oversized headers, a client too slow to send its request) answered in the documented JSON
// error body instead of fastify's or Node's own format. The connection is closed afterwards:
// after a parse error nothing more on it can be trusted.
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { ErrorCode } from "../errors.js";
import { errorBody } from "./error-handler.js";

interface ParserError extends Error {
  code?: string;
}

function classify(error: ParserError): { status: number; code: ErrorCode; message: string } {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, code: "request_timeout", message: "the request was not received in time" };
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        code: "headers_too_large",
        message: "the request line and headers are larger than the server accepts",
      };
    default:
      return { status: 400, code: "invalid_request", message: "malformed HTTP request" };
  }
}

export function clientErrorHandler(error: ParserError, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const { status, code, message } = classify(error);
  const payload = JSON.stringify(errorBody("vigil", { status, code, message, field: undefined }));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `content-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(payload)}\r\n` +
        `connection: close\r\n\r\n${payload}`,
    );
  }
  socket.destroy();
}
