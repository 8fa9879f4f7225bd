// Closing a connection while the client is still sending a body the server refused (413)
// makes the kernel answer the unread bytes with a TCP reset, and a client busy writing can
// lose the response that explains why. So, as web servers do ("lingering close"): send the
// response, half-close (FIN), keep reading and discarding for a bounded time, then close.
import type { IncomingMessage } from "node:http";

const LINGER_MS = 2000;

export function closeAfterDraining(request: IncomingMessage): void {
  const socket = request.socket as IncomingMessage["socket"] & { destroySoon?: () => void };
  // Node's HTTP server calls destroySoon() once a `connection: close` response is written;
  // replace it with a half-close so the socket stays readable while the client finishes.
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
  request.resume();
}
