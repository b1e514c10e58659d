/**
 * Authentication middleware. `/api/*`, `/admin` data and `/media` take the admin credential: a bearer
 * token or the session cookie (plus a CSRF header on state-changing requests). `/mcp` takes the MCP bearer
 * token. With auth disabled (explicit AUTH_DISABLED=1) everything passes.
 *
 * Wrong credentials count against the address in the shared FailureLimiter (429 once over the limit);
 * the right one is checked first and never refused. A request that authenticates marks its connection
 * (connection-guard.ts), so it no longer counts as an unauthenticated connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { parseCookies, SESSION_COOKIE, type AdminSession, type SessionStore } from '../../auth/sessions.js';
import type { FailureLimiter } from '../../auth/rate-limit.js';
import { tokenMatches, type Tokens } from '../../auth/tokens.js';
import { AppError } from '../../errors.js';
import { markAuthenticated } from '../connection-guard.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

export function bearerToken(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1]?.trim();
}

export function sessionOf(req: Request, sessions: SessionStore): AdminSession | null {
  return sessions.get(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
}

/** The address a request came from (the socket's, or the forwarded one when TRUST_PROXY trusts the proxy). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** 401 for a wrong credential, or 429 once this address has failed too often. */
export function refuse(req: Request, limiter: FailureLimiter, message: string): AppError {
  const wait = limiter.fail(clientAddress(req));
  if (wait > 0) return new AppError('rate_limited', 'too many failed authentication attempts from this address', 'Wait and retry with the right credential', { retryAfterMs: wait });
  return new AppError('unauthorized', message);
}

function accept(req: Request, limiter: FailureLimiter): void {
  limiter.succeed(clientAddress(req));
  markAuthenticated(req);
}

/** Accepts the admin bearer token, or an admin session cookie (+ CSRF header when the method changes state). */
export function requireAdmin(
  tokens: Tokens,
  sessions: SessionStore,
  limiter: FailureLimiter,
  opts: { alsoAccept?: (req: Request) => boolean } = {},
): RequestHandler {
  return (req, res, next) => {
    if (tokens.admin === null) {
      markAuthenticated(req);
      return next();
    }
    const bearer = bearerToken(req);
    if (bearer !== undefined) {
      if (tokenMatches(bearer, tokens.admin) || opts.alsoAccept?.(req)) {
        accept(req, limiter);
        return next();
      }
      res.setHeader('WWW-Authenticate', 'Bearer');
      return next(refuse(req, limiter, 'invalid token'));
    }
    const session = sessionOf(req, sessions);
    if (session) {
      if (!SAFE_METHODS.has(req.method) && !tokenMatches(req.get(CSRF_HEADER), session.csrf)) {
        return next(new AppError('csrf', `missing or wrong ${CSRF_HEADER} header`));
      }
      markAuthenticated(req);
      return next();
    }
    if (opts.alsoAccept?.(req)) {
      accept(req, limiter);
      return next();
    }
    res.setHeader('WWW-Authenticate', 'Bearer');
    next(new AppError('unauthorized', 'authentication required', 'Send "Authorization: Bearer <ADMIN_TOKEN>" or log in at /admin'));
  };
}

/** True when the request carries the MCP bearer token (or MCP auth is off). */
export function hasMcpToken(tokens: Tokens, req: Pick<IncomingMessage, 'headers'>): boolean {
  return tokens.mcp === null || tokenMatches(bearerToken(req), tokens.mcp);
}

export function requireMcpToken(tokens: Tokens, limiter: FailureLimiter): RequestHandler {
  return (req, res, next) => {
    if (hasMcpToken(tokens, req)) {
      if (tokens.mcp === null) markAuthenticated(req);
      else accept(req, limiter);
      return next();
    }
    res.setHeader('WWW-Authenticate', 'Bearer');
    if (bearerToken(req) === undefined) return next(new AppError('unauthorized', 'authentication required', 'Send "Authorization: Bearer <MCP_AUTH_TOKEN>"'));
    next(refuse(req, limiter, 'invalid token'));
  };
}
