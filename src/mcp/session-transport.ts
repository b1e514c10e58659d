/**
 * One session's Streamable HTTP transport: the SDK's web-standard transport behind our Node bridge
 * (node-web.ts), plus one per-request choice the SDK does not make by itself.
 *
 * In JSON-response mode a request has no stream of its own, so progress notifications used to go to the
 * session's GET stream and arrive after the result, where SDK clients drop them. A POST whose requests
 * carry `params._meta.progressToken` is therefore answered as an SSE stream here: notifications related
 * to those requests are written to it as they are sent, and the JSON result the SDK produced closes it.
 * Requests without a token keep the cheap JSON answer.
 *
 * The direct path (issue #17): the everyday POST of a live session in JSON mode — one request, headers the
 * SDK would accept — is handed to the McpServer without building a web Request and Response around it
 * (undici headers, URL, body streams, and the SDK's zod checks of every outgoing message were a third of
 * the transport's cost per call). It only ever takes requests the SDK would serve; everything else —
 * initialize, notifications, batches, refusals with their exact errors, SSE mode — goes through the SDK.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  JSONRPCRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { BoundedEventStore } from './event-store.js';
import { rpcError } from './rpc-error.js';
import { isEventStream, readBody, sendWebResponse, toWebRequest } from './node-web.js';

export interface SessionTransportOptions {
  jsonResponse: boolean;
  onsessioninitialized: (id: string) => void;
  onsessionclosed: (id: string | undefined) => void;
  /** Last-Event-ID resumption of SSE streams (bounded; see event-store.ts). */
  eventStore?: BoundedEventStore;
  /** The SSE `retry` (ms) sent with the priming event, so clients know when to reconnect. */
  retryMs?: number;
  /**
   * Comment frames on idle SSE streams (default 15 s, the SDK's): the HTTP server cuts sockets that stay
   * silent for its idle timeout (30 s), and a long tool may be silent between two progress events.
   */
  keepAliveMs?: number;
}

type Sink = (message: JSONRPCMessage) => void;

/** An answer the direct path waits for: `null` when the session ended first, 'cancelled' by the client. */
type Settle = (message: JSONRPCMessage | null | 'cancelled') => void;

/** The SDK's id for the session's GET stream (its events are stored under it). */
const GET_STREAM_ID = '_GET_stream';
/** Priming events (empty data) only go to clients that can parse them (SDK: the same cut-off). */
const PRIMING_MIN_VERSION = '2025-11-25';

const DEFAULT_KEEP_ALIVE_MS = 15_000;

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' } as const;

/** What handle() needs to know about a POST body before anyone acts on it. */
interface BodyScan {
  /** Ids of the requests in it. */
  ids: RequestId[];
  /** Ids of those that asked for progress. */
  progress: RequestId[];
  /** Request ids named by `notifications/cancelled` in it. */
  cancelled: RequestId[];
}

const isId = (v: unknown): v is RequestId => typeof v === 'string' || typeof v === 'number';

/**
 * A structural scan, not the SDK's zod checks: this runs on every POST before the SDK validates the same
 * messages anyway (an invalid one is refused there, and whatever was noted here is dropped with the request).
 */
function scanBody(body: unknown): BodyScan {
  const scan: BodyScan = { ids: [], progress: [], cancelled: [] };
  for (const m of Array.isArray(body) ? (body as unknown[]) : [body]) {
    if (m === null || typeof m !== 'object') continue;
    const { id, method, params } = m as { id?: unknown; method?: unknown; params?: { _meta?: unknown; requestId?: unknown } };
    if (typeof method !== 'string') continue;
    const p = params && typeof params === 'object' ? params : undefined;
    if (!isId(id)) {
      if (method === 'notifications/cancelled' && isId(p?.requestId)) scan.cancelled.push(p.requestId);
      continue;
    }
    scan.ids.push(id);
    const meta = p?._meta;
    if (meta && typeof meta === 'object' && (meta as { progressToken?: unknown }).progressToken !== undefined) scan.progress.push(id);
  }
  return scan;
}

/**
 * Node keeps the first of two Content-Type headers; the SDK sees them joined (web Headers) and refuses the
 * pair (415). The direct path must not accept what the SDK would refuse.
 */
function singleContentType(req: IncomingMessage): boolean {
  let n = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 12 && raw[i]!.toLowerCase() === 'content-type') n++;
  return n === 1;
}

/** The request headers copied into `requestInfo` (as the SDK's path sees them, minus credentials). */
const INFO_HEADERS = ['accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version'] as const;

/** The answer to a request whose session ended while it ran (DELETE, shutdown): the SDK's 404. */
const sessionGone = (res: ServerResponse) => rpcError(res, 404, -32001, 'Session not found');

/** A request id this session is still answering, reused: refused, so neither request gets the other's answer. */
const idInUse = (res: ServerResponse, id: RequestId) =>
  rpcError(res, 400, -32600, `Invalid Request: request id ${JSON.stringify(id)} is still being answered in this session; use a new id`);

function sseEvent(data: string): string {
  return `event: message\ndata: ${data}\n\n`;
}

export class SessionTransport implements Transport {
  readonly inner: WebStandardStreamableHTTPServerTransport;
  private readonly jsonResponse: boolean;
  /** Request id → the SSE response its related notifications are written to (JSON mode, progress requests). */
  private readonly sinks = new Map<RequestId, Sink>();
  private readonly eventStore: BoundedEventStore | undefined;
  private readonly retryMs: number | undefined;
  private readonly keepAliveMs: number;
  /** Direct-path requests waiting for their answer, by request id. */
  private readonly direct = new Map<RequestId, Settle>();
  private closed = false;
  /** SDK-path POSTs waiting for their answer: the SDK leaves them open forever when the session ends. */
  private readonly waiting = new Set<() => void>();
  /** Ids of the requests being answered through the SDK (a reused id must not take another's answer). */
  private readonly sdkIds = new Set<RequestId>();
  private onCloseFn: (() => void) | undefined;

  constructor(opts: SessionTransportOptions) {
    this.jsonResponse = opts.jsonResponse;
    this.eventStore = opts.eventStore;
    this.retryMs = opts.retryMs;
    this.keepAliveMs = opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.inner = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      enableJsonResponse: opts.jsonResponse,
      onsessioninitialized: opts.onsessioninitialized,
      onsessionclosed: opts.onsessionclosed,
      ...(opts.eventStore ? { eventStore: opts.eventStore } : {}),
      ...(opts.retryMs !== undefined ? { retryInterval: opts.retryMs } : {}),
      keepAliveMs: this.keepAliveMs,
    });
    // The inner transport also closes itself (DELETE): the direct path must stop taking requests then too.
    this.inner.onclose = () => {
      this.end();
      this.onCloseFn?.();
    };
  }

  // ---- Transport: the McpServer talks to the inner transport through these -------------------------
  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }
  set onclose(fn: (() => void) | undefined) {
    this.onCloseFn = fn;
  }
  get onclose(): (() => void) | undefined {
    return this.onCloseFn;
  }
  set onerror(fn: ((error: Error) => void) | undefined) {
    this.inner.onerror = fn;
  }
  get onerror(): ((error: Error) => void) | undefined {
    return this.inner.onerror;
  }
  set onmessage(fn: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined) {
    this.inner.onmessage = fn;
  }
  get onmessage(): (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined {
    return this.inner.onmessage;
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  close(): Promise<void> {
    this.sinks.clear();
    this.end();
    return this.inner.close();
  }

  /** The session ended: requests still waiting for an answer get the SDK's "Session not found" (404). */
  private end(): void {
    this.closed = true;
    for (const gone of this.waiting) gone();
    this.waiting.clear();
    const waiting = [...this.direct.values()];
    this.direct.clear();
    for (const settle of waiting) settle(null);
  }

  /** The SDK's answer, or null if the session ends first. */
  private untilEnded(answer: Promise<Response>): Promise<Response | null> {
    return new Promise((resolve, reject) => {
      const gone = () => resolve(null);
      this.waiting.add(gone);
      answer.then(
        (response) => {
          this.waiting.delete(gone);
          resolve(response);
        },
        (err: unknown) => {
          this.waiting.delete(gone);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    // A response (no method) to a direct-path request: that request's HTTP answer.
    if (!('method' in message) && 'id' in message && message.id !== undefined && this.direct.size > 0) {
      const settle = this.direct.get(message.id);
      if (settle) {
        this.direct.delete(message.id);
        settle(message);
        return Promise.resolve();
      }
    }
    const rid = options?.relatedRequestId;
    // A request or notification has a method; a response (result or error) has none. (Cheaper than the
    // SDK's zod-based isJSONRPCResultResponse / isJSONRPCErrorResponse on every message.)
    if (rid !== undefined && 'method' in message) {
      const sink = this.sinks.get(rid);
      if (sink) {
        sink(message);
        return Promise.resolve();
      }
      // A JSON answer has no stream: the session's GET stream is the only way to the client.
      if (this.jsonResponse) return this.inner.send(message);
    }
    return this.inner.send(message, options);
  }

  // ---- HTTP ------------------------------------------------------------------------------------------
  private primeGetStream(req: IncomingMessage): string | undefined {
    if (!this.eventStore || req.headers['last-event-id'] !== undefined) return undefined;
    const version = req.headers['mcp-protocol-version'];
    if (typeof version !== 'string' || version < PRIMING_MIN_VERSION) return undefined;
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) return undefined;
    return this.eventStore.prime(GET_STREAM_ID);
  }

  /**
   * The request the direct path may take, or null: a POST in JSON mode to this live session carrying one
   * JSON-RPC request (not initialize) whose headers the SDK accepts — Accept with both types, the exact JSON
   * content type SDK clients send, this session's id, a supported protocol version (or none) — and that did
   * not ask for progress (those are streamed below). The message is checked with the SDK's own schema.
   */
  private directRequest(req: IncomingMessage, body: unknown): JSONRPCMessage | null {
    if (!this.jsonResponse || this.closed || !this.inner.onmessage || req.method !== 'POST' || body === null || typeof body !== 'object' || Array.isArray(body)) return null;
    const sid = this.inner.sessionId;
    const h = req.headers;
    if (sid === undefined || h['mcp-session-id'] !== sid || h['content-type'] !== 'application/json' || !singleContentType(req)) return null;
    const accept = h.accept;
    if (typeof accept !== 'string' || !accept.includes('application/json') || !accept.includes('text/event-stream')) return null;
    const version = h['mcp-protocol-version'];
    if (version !== undefined && (typeof version !== 'string' || !SUPPORTED_PROTOCOL_VERSIONS.includes(version))) return null;
    const m = body as { method?: unknown; id?: unknown; params?: { _meta?: { progressToken?: unknown } } };
    if (typeof m.method !== 'string' || m.method === 'initialize' || m.id === undefined || m.params?._meta?.progressToken !== undefined) return null;
    const parsed = JSONRPCRequestSchema.safeParse(body);
    if (!parsed.success) return null;
    return parsed.data;
  }

  /** Serves a direct-path request: the McpServer's answer is written as the SDK's JSON response would be. */
  private async serveDirect(req: IncomingMessage, res: ServerResponse, message: JSONRPCMessage & { id: RequestId }): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of INFO_HEADERS) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const answer = await new Promise<JSONRPCMessage | null | 'cancelled'>((resolve) => {
      this.direct.set(message.id, resolve);
      try {
        this.inner.onmessage?.(message, { requestInfo: { headers } });
      } catch (err) {
        // Never happens with the SDK's Protocol; if it did, the id must not stay "in use" for the session.
        this.direct.delete(message.id);
        throw err;
      }
    });
    if (res.headersSent || res.destroyed) return;
    if (answer === null) return sessionGone(res);
    if (answer === 'cancelled') {
      // The client cancelled it: no answer is owed (MCP), but the HTTP request must end.
      res.writeHead(202, { 'mcp-session-id': this.inner.sessionId ?? '' });
      res.end();
      return;
    }
    const text = JSON.stringify(answer);
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': this.inner.sessionId ?? '', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Answers one HTTP request (POST bodies already parsed, by express.json or the fast lane). */
  async handle(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    const scan = req.method === 'POST' ? scanBody(body) : null;
    if (scan) {
      const reused = scan.ids.find((id) => this.direct.has(id) || this.sdkIds.has(id));
      if (reused !== undefined) return idInUse(res, reused);
      // A direct request the client cancels gets no answer from the SDK: release its HTTP request.
      for (const id of scan.cancelled) {
        const settle = this.direct.get(id);
        if (settle) {
          this.direct.delete(id);
          settle('cancelled');
        }
      }
    }
    const direct = this.directRequest(req, body);
    if (direct) return this.serveDirect(req, res, direct as JSONRPCMessage & { id: RequestId });
    if (!scan || scan.ids.length === 0) return this.handleSdk(req, res, body, []);
    for (const id of scan.ids) this.sdkIds.add(id);
    try {
      await this.handleSdk(req, res, body, this.jsonResponse ? scan.progress : []);
    } finally {
      for (const id of scan.ids) this.sdkIds.delete(id);
    }
  }

  /** Through the SDK's transport; `streamIds`: JSON-mode requests that asked for progress (streamed here). */
  private async handleSdk(req: IncomingMessage, res: ServerResponse, body: unknown, streamIds: RequestId[]): Promise<void> {
    const webReq = toWebRequest(req);
    // An empty POST body reaches the transport as null: a JSON-RPC parse error, not a second body read.
    const parsedBody = req.method === 'POST' ? (body ?? null) : undefined;
    if (streamIds.length === 0) {
      // The SDK primes POST streams itself but not the GET stream: without an id there, a client whose
      // stream drops before the first notification could not resume. Stored in the same tick as the SDK
      // registers the stream, so every event written to it comes after the priming id.
      const primeId = req.method === 'GET' ? this.primeGetStream(req) : undefined;
      const handled = this.inner.handleRequest(webReq, { parsedBody });
      // Only a POST waits for an answer (a DELETE ends the session itself and must still get its 200).
      const response = req.method === 'POST' ? await this.untilEnded(handled) : await handled;
      if (response === null) return sessionGone(res);
      const prefix = primeId !== undefined && response.status === 200 ? `id: ${primeId}\n${this.retryMs !== undefined ? `retry: ${this.retryMs}\n` : ''}data: \n\n` : undefined;
      await sendWebResponse(res, response, prefix);
      return;
    }
    // Progress requests in JSON mode: SSE, opened by the first notification or by the result.
    let open = false;
    const start = () => {
      if (open) return;
      open = true;
      res.writeHead(200, { ...SSE_HEADERS, ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}) });
    };
    const sink: Sink = (message) => {
      if (res.destroyed || res.writableEnded) return;
      start();
      res.write(sseEvent(JSON.stringify(message)));
    };
    for (const id of streamIds) this.sinks.set(id, sink);
    // A refusal resolves before the first tick, so a tick means the request is being served: open and ping.
    const keepAlive = setInterval(() => {
      if (res.destroyed || res.writableEnded) return;
      start();
      res.write(': keepalive\n\n');
    }, this.keepAliveMs);
    keepAlive.unref();
    try {
      const response = await this.untilEnded(this.inner.handleRequest(webReq, { parsedBody }));
      if (response === null) {
        if (open) res.end();
        else sessionGone(res);
        return;
      }
      // Refusals (4xx before dispatch) and anything unexpected go out as the SDK made them.
      if (!open && (response.status !== 200 || isEventStream(response) || !response.body)) {
        await sendWebResponse(res, response);
        return;
      }
      const text = (await readBody(response)).toString('utf8');
      if (res.destroyed || res.writableEnded) return;
      start();
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) for (const m of parsed) res.write(sseEvent(JSON.stringify(m)));
      else res.write(sseEvent(text));
      res.end();
    } finally {
      clearInterval(keepAlive);
      for (const id of streamIds) if (this.sinks.get(id) === sink) this.sinks.delete(id);
    }
  }
}
