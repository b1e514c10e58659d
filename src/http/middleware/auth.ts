/**
 * Authentication middleware. `/api/*`, `/admin` data and `/media` take the admin credential: a bearer
 * token or the session cookie (plus a CSRF header on state-changing requests). `/mcp` takes the MCP bearer
 * token. With auth disabled (explicit AUTH_DISABLED=1) everything passes.
 */
import type { Request, RequestHandler } from 'express';
import { parseCookies, SESSION_COOKIE, type AdminSession, type SessionStore } from '../../auth/sessions.js';
import { tokenMatches, type Tokens } from '../../auth/tokens.js';
import { AppError } from '../../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1]?.trim();
}

export function sessionOf(req: Request, sessions: SessionStore): AdminSession | null {
  return sessions.get(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
}

function unauthorized(message: string): AppError {
  return new AppError('unauthorized', message);
}

/** Accepts the admin bearer token, or an admin session cookie (+ CSRF header when the method changes state). */
export function requireAdmin(tokens: Tokens, sessions: SessionStore, opts: { alsoAccept?: (req: Request) => boolean } = {}): RequestHandler {
  return (req, res, next) => {
    if (tokens.admin === null) return next();
    const bearer = bearerToken(req);
    if (bearer !== undefined) {
      if (tokenMatches(bearer, tokens.admin)) return next();
      if (opts.alsoAccept?.(req)) return next();
      res.setHeader('WWW-Authenticate', 'Bearer');
      return next(unauthorized('invalid token'));
    }
    const session = sessionOf(req, sessions);
    if (session) {
      if (!SAFE_METHODS.has(req.method) && !tokenMatches(req.get(CSRF_HEADER), session.csrf)) {
        return next(new AppError('csrf', `missing or wrong ${CSRF_HEADER} header`));
      }
      return next();
    }
    if (opts.alsoAccept?.(req)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer');
    next(unauthorized('authentication required: send "Authorization: Bearer <ADMIN_TOKEN>" or log in at /admin'));
  };
}

export function requireMcpToken(tokens: Tokens): RequestHandler {
  return (req, res, next) => {
    if (tokens.mcp === null) return next();
    if (tokenMatches(bearerToken(req), tokens.mcp)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer');
    next(unauthorized('authentication required: send "Authorization: Bearer <MCP_AUTH_TOKEN>"'));
  };
}
