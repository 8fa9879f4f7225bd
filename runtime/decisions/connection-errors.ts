// Whether a Postgres failure means "the database cannot be reached right now" (an outage: the
// caller may retry later, 503) rather than a bug or a bad query (500, logged with its stack).
// Node's socket errors, pg's own connection messages and the SQLSTATE classes for connection
// exceptions, operator intervention and insufficient resources.

const SOCKET_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
// 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now; 53300: too many connections.
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
const PG_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
];

export function isConnectionError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (SOCKET_ERRORS.has(code) || SQLSTATE.test(code))) return true;
  const message = (error as { message?: unknown }).message;
  if (typeof message === "string" && PG_MESSAGES.some((p) => p.test(message))) return true;
  // AggregateError (several addresses refused) and wrapped causes.
  const nested = (error as { errors?: unknown[]; cause?: unknown }).errors ?? [];
  const cause = (error as { cause?: unknown }).cause;
  return nested.some(isConnectionError) || (cause !== undefined && isConnectionError(cause));
}
