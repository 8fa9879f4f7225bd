/** A database or cache server a test talks to; `managed` ones can be stopped to simulate an outage. */
export interface TestServer {
  /** Connection URL. */
  url: string;
  /** Whether this harness owns the server (false with DATABASE_URL/REDIS_URL: no outages possible). */
  managed: boolean;
  /** Temp dir holding the server's files (removed by close); undefined for an external server. */
  dir?: string;
  /** Stops the server; its data is kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A server named by an environment variable: used as-is, never stopped. */
export function externalServer(variable: string, url: string): TestServer {
  const refuse = async () => {
    throw new Error(`${variable} points at an external server: the harness cannot stop or start it`);
  };
  return { url, managed: false, stop: refuse, start: refuse, close: async () => undefined };
}
