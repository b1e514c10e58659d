/**
 * Connection-level limits for the one HTTP server (#12 item 4):
 * - idle timeout: a request whose bytes stop arriving (headers or body) is cut after `idleTimeoutMs`, so
 *   a client that announces 1 000 bytes and sends 5 cannot hold a socket forever. Long-lived streams (SSE
 *   state stream, MCP GET notification stream: `Accept: text/event-stream`) opt out once authenticated.
 * - at most `maxUnauthenticatedPerAddress` open connections per address that have not yet carried an
 *   authenticated request; more are closed at once. Authentication marks the connection (auth.ts).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

const authenticated = new WeakSet<Socket>();

/**
 * Called by the auth middleware when a request on this connection presented a valid credential. An
 * authenticated event stream is long-lived by design, so it leaves the idle timeout.
 */
export function markAuthenticated(req: IncomingMessage): void {
  authenticated.add(req.socket);
  if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/event-stream')) req.socket.setTimeout(0);
}

export interface ConnectionGuardOptions {
  idleTimeoutMs: number;
  maxUnauthenticatedPerAddress: number;
}

export function guardConnections(server: Server, opts: ConnectionGuardOptions): void {
  server.headersTimeout = opts.idleTimeoutMs;
  // Total time is unbounded (large uploads on slow links); inactivity is not.
  server.requestTimeout = 0;
  server.setTimeout(opts.idleTimeoutMs, (socket: Socket) => socket.destroy());
  const open = new Map<string, Set<Socket>>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    let set = open.get(address);
    if (!set) open.set(address, (set = new Set()));
    const unauthenticated = [...set].filter((s) => !authenticated.has(s)).length;
    if (unauthenticated >= opts.maxUnauthenticatedPerAddress) {
      socket.destroy();
      return;
    }
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0) open.delete(address);
    });
  });
}
