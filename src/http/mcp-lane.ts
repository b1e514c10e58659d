/**
 * The MCP fast lane (issue #17): the everyday call — a POST to /mcp naming a session, authenticated, with a
 * plain JSON body — is answered without passing through Express, whose request set-up, router and body
 * parser cost about as much CPU per call as the rest of a `list_chats` call apart from its query.
 *
 * The lane makes the same checks with the same code as the Express route (hostProblem, hasMcpToken, the
 * security headers, the body limit) but only ever *accepts*: a request that any check would refuse, or that
 * is not the everyday shape (no session id, a content type with parameters, a compressed or chunked body,
 * a query string), goes to Express untouched, which refuses or serves it exactly as before. A success resets
 * the client address's failed-credential count, as the route does; behind a trusted proxy (TRUST_PROXY) the
 * address is Express's to work out, so there the lane steps aside while any failure still counts.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FailureLimiter } from '../auth/rate-limit.js';
import type { Tokens } from '../auth/tokens.js';
import { markAuthenticated } from './connection-guard.js';
import { SECURITY_HEADERS } from './express.js';
import { hasMcpToken } from './middleware/auth.js';
import { hostProblem } from './middleware/host-check.js';

export interface McpLaneDeps {
  /** The Host/Origin allow-list the Express app checks (allowedHostSet). */
  allowedHosts: Set<string> | null;
  tokens: Tokens;
  limiter: FailureLimiter;
  /**
   * The address a success clears in the limiter, when it is the socket's (no TRUST_PROXY); undefined
   * when a proxy's X-Forwarded-For decides it.
   */
  clientAddress?: (req: IncomingMessage) => string;
  /** Bodies larger than this go to Express, which answers 413. */
  bodyLimit: number;
  /** Answers a parsed body for the session the request names (McpHttp.serveSessionPost). */
  serve: (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;
  /** Answers a body that is not JSON (the Express route's parse error). */
  parseError: (res: ServerResponse) => void;
  /** Everything else: the Express app. */
  fallback: RequestListener;
}

/** The declared body length when the request is the everyday shape the lane takes, else -1. */
function laneLength(req: IncomingMessage, limit: number): number {
  const h = req.headers;
  if (req.method !== 'POST' || req.url !== '/mcp' || typeof h['mcp-session-id'] !== 'string' || h['mcp-session-id'] === '') return -1;
  if (h['content-type'] !== 'application/json' || h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return -1;
  const declared = h['content-length'];
  if (declared === undefined || !/^\d{1,9}$/.test(declared)) return -1;
  const length = Number(declared);
  return length > 0 && length <= limit ? length : -1;
}

export function mcpLane(deps: McpLaneDeps): RequestListener {
  return (req, res) => {
    const length = laneLength(req, deps.bodyLimit);
    const address = deps.clientAddress;
    if (length < 0 || (!address && !deps.limiter.clean) || hostProblem(deps.allowedHosts, req.headers) !== null || !hasMcpToken(deps.tokens, req)) {
      deps.fallback(req, res);
      return;
    }
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    if (address && deps.tokens.mcp !== null) deps.limiter.succeed(address(req));
    markAuthenticated(req);
    // Chunks as they come (not Content-Length bytes up front: a client could declare 4 MB and send one).
    const chunks: Buffer[] = [];
    let read = 0;
    req.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read <= length) chunks.push(chunk);
    });
    // A client that goes away mid-body: nothing to answer.
    req.on('error', () => res.destroy());
    req.on('end', () => {
      let parsed: unknown;
      try {
        // Like express.json (strict, UTF-8, a leading BOM dropped): only an object or an array is a body.
        const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
        parsed = read === length ? JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed === null || typeof parsed !== 'object') return deps.parseError(res);
      // serve() answers its own failures (500); anything escaping it still must not leave the socket hanging.
      deps.serve(req, res, parsed).catch(() => res.destroy());
    });
  };
}
