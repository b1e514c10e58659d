/**
 * Streamable HTTP at /mcp with stateful sessions (`mcp-session-id`): one McpServer + transport per
 * session, all sharing the process-wide services (built by the composition root) and notification hub.
 *
 * - POST without a session id must be `initialize` (else 400); an unknown or expired id gets 404 so the
 *   client re-initialises (e.g. after our restart); DELETE ends a session; GET opens the notification stream.
 * - Idle sessions (no request and no open stream for `MCP_SESSION_IDLE_MS`) are closed by a sweeper.
 * - At `MCP_MAX_SESSIONS` live sessions a new initialize gets 503 with a clear message.
 * The composition root mounts `router` behind the MCP bearer token and the Host/Origin check; the everyday
 * POST naming a session reaches `serveSessionPost` through the fast lane instead (src/http/mcp-lane.ts), which
 * makes the same checks without Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router, type Request, type Response } from 'express';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpDeps } from './deps.js';
import { McpHub } from './hub.js';
import { rpcError } from './rpc-error.js';
import { createMcpServer, type SessionServer } from './server.js';
import { BoundedEventStore } from './event-store.js';
import { SessionTransport } from './session-transport.js';
import { serveStdio, type McpStdio, type StdioStreams } from './stdio.js';

export interface McpHttp {
  router: Router;
  /** Close every live session (graceful shutdown). */
  closeAll(): Promise<void>;
  /** Tell subscribers of `whatsapp://chats/{jid}/messages` (and `whatsapp://chats`) that messages arrived. */
  notifyNewMessages(chatIds: string[]): void;
  /**
   * A parsed POST that names a session (the everyday call), for the HTTP fast lane (src/http/mcp-lane.ts),
   * which has already made every check the Express route would.
   */
  serveSessionPost(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /**
   * Live sessions, open notification (GET) streams, requests being answered, and POSTs served by the fast
   * lane so far, for metrics and tests.
   */
  stats(): { sessions: number; openStreams: number; requests: number; fastLane: number };
  /**
   * Also serve an MCP client on stdin/stdout (`--stdio`), sharing these services and notifications.
   * closeAll() ends it too.
   */
  serveStdio(io?: StdioStreams): Promise<McpStdio>;
}

interface Session {
  id: string;
  transport: SessionTransport;
  mcp: SessionServer;
  lastSeen: number;
  /** Requests / streams in flight (an open GET stream keeps the session alive). */
  active: number;
  /** Open GET notification streams. */
  streams: number;
  closed: boolean;
}


/** The SSE `retry` sent with each priming event: how long a client waits before resuming a cut stream. */
const SSE_RETRY_MS = 1_000;

export interface McpHttpOptions {
  /** How often idle sessions are swept (ms). Default: a quarter of the idle timeout, 1 s–60 s. */
  sweepIntervalMs?: number;
}

/** Request bodies over this are refused (413) on both ways in. */
export const MCP_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export const PARSE_ERROR = 'Parse error: the request body is not valid JSON';

function isInitialize(body: unknown): boolean {
  if (Array.isArray(body)) return body.some((m) => isInitializeRequest(m));
  return isInitializeRequest(body);
}

export function createMcpHttp(deps: McpDeps, opts: McpHttpOptions = {}): McpHttp {
  const log = deps.logger;
  const sessions = new Map<string, Session>();
  /** Initializes in flight (counted against the cap until they resolve). */
  let pending = 0;
  let shuttingDown = false;
  const hub = new McpHub(deps);
  const stdioClients = new Set<McpStdio>();
  /** MCP_SESSION_IDLE_MS (0 = sessions never expire), MCP_MAX_SESSIONS, MCP_HTTP_ENABLE_JSON_RESPONSE. */
  const { sessionIdleMs: idleMs, maxSessions, jsonResponse, sseReplayKb } = deps.config.mcp;

  const closeSession = async (s: Session, why: string): Promise<void> => {
    if (s.closed) return;
    s.closed = true;
    sessions.delete(s.id);
    s.mcp.dispose();
    log.debug({ session: s.id, why }, 'MCP session closed');
    try {
      await s.mcp.server.close();
    } catch (err) {
      log.debug({ err }, 'closing MCP session failed');
    }
  };

  const sweepEvery = opts.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, Math.floor(idleMs / 4)));
  const sweeper =
    idleMs > 0
      ? setInterval(() => {
          const now = Date.now();
          for (const s of sessions.values()) {
            if (s.active === 0 && now - s.lastSeen > idleMs) void closeSession(s, 'idle');
          }
        }, sweepEvery)
      : null;
  sweeper?.unref();

  /** Runs a request against a session, tracking activity so the sweeper never cuts a live request/stream. */
  const serve = async (s: Session, req: IncomingMessage, res: ServerResponse, body?: unknown) => {
    const stream = req.method === 'GET';
    s.active++;
    if (stream) s.streams++;
    s.lastSeen = Date.now();
    // Authenticated and its body read: a slow tool keeping the socket silent is not an idle client, so the
    // connection guard's idle timeout is off until this request is answered (then back for the next one).
    const socket = req.socket;
    const idleTimeout = socket.timeout ?? 0;
    if (idleTimeout > 0) socket.setTimeout(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      s.active--;
      if (stream) s.streams--;
      s.lastSeen = Date.now();
      if (idleTimeout > 0 && !socket.destroyed) socket.setTimeout(idleTimeout);
    };
    res.once('close', finish);
    try {
      await s.transport.handle(req, res, body);
    } catch (err) {
      log.error({ err, session: s.id }, 'MCP request failed');
      rpcError(res, 500, -32603, 'Internal server error');
    } finally {
      // JSON responses end the request here; SSE streams finish on 'close'.
      if (res.writableEnded) finish();
    }
  };

  const lookup = (req: IncomingMessage, res: ServerResponse): Session | null => {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || !id) {
      rpcError(res, 400, -32000, 'Bad Request: missing mcp-session-id header; send initialize first to open a session');
      return null;
    }
    const s = sessions.get(id);
    if (!s || s.closed) {
      rpcError(res, 404, -32001, 'Session not found (expired, ended or from before a server restart): initialize a new session');
      return null;
    }
    return s;
  };

  let fastLane = 0;
  /** A POST that names a session: look it up and answer (both ways in). */
  const servePost = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    if (shuttingDown) return rpcError(res, 503, -32000, 'Server is shutting down; retry shortly', { 'Retry-After': '5' });
    const s = lookup(req, res);
    if (s) await serve(s, req, res, body);
  };

  const router = Router();
  router.post('/mcp', express.json({ limit: MCP_BODY_LIMIT_BYTES, type: ['application/json', 'application/*+json'] }), async (req, res) => {
    if (req.headers['mcp-session-id']) return servePost(req, res, req.body);
    if (shuttingDown) return rpcError(res, 503, -32000, 'Server is shutting down; retry shortly', { 'Retry-After': '5' });
    if (!isInitialize(req.body)) {
      return rpcError(res, 400, -32000, 'Bad Request: no mcp-session-id header; the first request of a session must be initialize');
    }
    if (sessions.size + pending >= maxSessions) {
      log.warn({ sessions: sessions.size, maxSessions }, 'MCP session cap reached');
      return rpcError(
        res,
        503,
        -32000,
        `Too many MCP sessions (limit ${maxSessions}): close unused sessions (DELETE /mcp) or wait for idle ones to expire, or raise MCP_MAX_SESSIONS`,
        { 'Retry-After': '30' },
      );
    }
    pending++;
    let s: Session | undefined;
    let counted = true;
    const release = () => {
      if (counted) {
        counted = false;
        pending--;
      }
    };
    try {
      const mcp = createMcpServer(deps, hub);
      const transport = new SessionTransport({
        jsonResponse,
        // Resumable SSE (POST streams in SSE mode, the GET stream in both); the priming event carries `retry`.
        ...(sseReplayKb > 0 ? { eventStore: new BoundedEventStore(sseReplayKb * 1024), retryMs: SSE_RETRY_MS } : {}),
        onsessioninitialized: (sid) => {
          if (!s) return;
          s.id = sid;
          mcp.setSessionId(sid);
          sessions.set(sid, s);
          release();
          log.debug({ session: sid, sessions: sessions.size }, 'MCP session opened');
        },
        onsessionclosed: (sid) => {
          const cur = sid === undefined ? undefined : sessions.get(sid);
          if (cur) void closeSession(cur, 'deleted by client');
        },
      });
      s = { id: '', transport, mcp, lastSeen: Date.now(), active: 0, streams: 0, closed: false };
      const session = s;
      transport.onclose = () => {
        if (session.id) void closeSession(session, 'transport closed');
      };
      await mcp.server.connect(transport);
      await serve(session, req, res, req.body);
      if (!session.id) {
        // initialize was rejected (bad request): nothing to keep.
        mcp.dispose();
        await mcp.server.close().catch(() => undefined);
      }
    } finally {
      release();
    }
  });

  router.get('/mcp', async (req, res) => {
    const s = lookup(req, res);
    if (s) await serve(s, req, res);
  });

  router.delete('/mcp', async (req, res) => {
    const s = lookup(req, res);
    if (s) await serve(s, req, res);
  });

  // A body that is not JSON gets a JSON-RPC parse error, not the app's generic error page.
  router.use('/mcp', (err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    const type = (err as { type?: string } | null)?.type;
    if (type === 'entity.parse.failed') return rpcError(res, 400, -32700, PARSE_ERROR);
    if (type === 'entity.too.large') return rpcError(res, 413, -32600, 'Request too large (limit 4 MB)');
    next(err);
  });

  router.all('/mcp', (req, res) => {
    res.setHeader('Allow', 'GET, POST, DELETE');
    rpcError(res, 405, -32000, `Method ${req.method} not allowed on /mcp`);
  });

  const api: McpHttp = {
    router,
    serveSessionPost: (req, res, body) => {
      fastLane++;
      return servePost(req, res, body);
    },
    stats: () => {
      let openStreams = 0;
      let requests = 0;
      for (const s of sessions.values()) {
        openStreams += s.streams;
        requests += s.active - s.streams;
      }
      return { sessions: sessions.size, openStreams, requests, fastLane };
    },
    notifyNewMessages: (chatIds) => hub.notifyNewMessages(chatIds),
    async serveStdio(io) {
      const stdio = await serveStdio(deps, hub, io);
      stdioClients.add(stdio);
      void stdio.closed.then(() => stdioClients.delete(stdio));
      return stdio;
    },
    async closeAll() {
      shuttingDown = true;
      if (sweeper) clearInterval(sweeper);
      await Promise.all([...sessions.values()].map((s) => closeSession(s, 'shutdown')));
      await Promise.all([...stdioClients].map((c) => c.close()));
      hub.close();
    },
  };
  return api;
}
