/**
 * A small Node ↔ web-standard bridge for the SDK's `WebStandardStreamableHTTPServerTransport`.
 *
 * The SDK's own Node wrapper builds a new @hono/node-server request listener per request and drains
 * JSON bodies through a read loop that can wait a timer tick per response. Here a POST body is already
 * parsed by express.json, so the Request only carries method, URL and headers; a JSON Response is read in
 * one piece and written with a Content-Length; an SSE Response is streamed chunk by chunk and cancelled
 * when the client goes away (which is how the transport learns a stream ended).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The request headers the SDK's transport reads (content negotiation, session, protocol version,
 * resumption). Only these are copied into the web Request: every copied header costs a validated
 * `Headers.append` and another entry in the `requestInfo.headers` object the SDK builds per message, and
 * no tool of ours reads request headers — which also keeps the bearer token out of tool handlers' reach.
 * (The SDK's own Host/Origin check is off; src/http checks Host and Origin before /mcp.)
 */
const TRANSPORT_HEADERS = new Set(['accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']);

/** The web Request the transport reads: method, URL (path only; the Host is checked elsewhere) and headers. */
export function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (TRANSPORT_HEADERS.has(name)) headers.append(name, raw[i + 1]!);
  }
  // The origin is fixed: a hostile Host header must not be able to make URL parsing throw.
  return new Request(`http://localhost${req.url ?? '/'}`, { method: req.method, headers });
}

function headerRecord(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/** True when the response is (going to be) an event stream. */
export function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
}

/** Reads a finite (JSON or empty) body completely. */
export async function readBody(response: Response): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return parts.length === 1 ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength) : Buffer.concat(parts);
}

/**
 * Writes a web Response to the Node response. Finite bodies are awaited; an event stream is pumped in the
 * background (the returned promise resolves once its headers are out), ending when the transport closes it;
 * `ssePrefix` is written before its first event (a priming event).
 */
export async function sendWebResponse(res: ServerResponse, response: Response, ssePrefix?: string): Promise<void> {
  const headers = headerRecord(response);
  if (!response.body || !isEventStream(response)) {
    const body = await readBody(response);
    if (res.headersSent || res.destroyed) return;
    headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  const reader = response.body.getReader();
  res.writeHead(response.status, headers);
  if (ssePrefix) res.write(ssePrefix);
  else res.flushHeaders();
  // The client left: cancelling the body runs the transport's stream cleanup (mapping, keep-alive timer).
  res.once('close', () => {
    reader.cancel().catch(() => undefined);
  });
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (res.destroyed) return;
        res.write(value);
      }
      res.end();
    } catch {
      res.destroy();
    }
  })();
}
