export { startPostgres, type TestPostgres } from "./postgres.js";
export type { TestServer } from "./test-server.js";
export { startRedis, type TestRedis } from "./redis.js";
export { freePort, waitFor } from "./ports.js";
export { MissingBinaryError } from "./binaries.js";
export { testPython } from "./python.js";
