/**
 * Admin login: POST /api/session {token} → HttpOnly SameSite=Strict cookie + CSRF token;
 * GET /api/session tells whether the cookie is valid (and returns the CSRF token again);
 * DELETE /api/session logs out and ends every live stream of that session. Wrong tokens count in the shared FailureLimiter (429 once over the limit;
 * the right token is never refused). The only /api body parsed before authentication is this one (≤ 4 KB).
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { SESSION_COOKIE, parseCookies, type SessionStore } from '../../auth/sessions.js';
import type { FailureLimiter } from '../../auth/rate-limit.js';
import { tokenMatches, type Tokens } from '../../auth/tokens.js';
import { badRequest, methodNotAllowed } from '../errors.js';
import { clientAddress, refuse, sessionOf } from '../middleware/auth.js';
import type { SessionStreams } from './session-streams.js';

const LoginBody = z.object({ token: z.string().min(1).max(512) });

/** `streams`: every live stream of a session ends when it signs out (other tabs go to sign-in). */
export function sessionRoutes(tokens: Tokens, sessions: SessionStore, limiter: FailureLimiter, streams?: SessionStreams): Router {
  const r = Router();

  r.post('/session', express.json({ limit: '4kb', strict: true }), (req, res) => {
    const body = LoginBody.safeParse(req.body);
    if (!body.success) throw badRequest('expected JSON {"token": "<ADMIN_TOKEN>"}');
    if (tokens.admin !== null && !tokenMatches(body.data.token, tokens.admin)) throw refuse(req, limiter, 'wrong admin token');
    limiter.succeed(clientAddress(req));
    const s = sessions.create();
    res.cookie(SESSION_COOKIE, s.id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: s.expiresAt - Date.now(),
    });
    res.json({ authenticated: true, csrfToken: s.csrf, expiresAt: s.expiresAt });
  });

  r.get('/session', (req, res) => {
    if (tokens.admin === null) return void res.json({ authenticated: true, authDisabled: true, csrfToken: '' });
    const s = sessionOf(req, sessions);
    res.json(s ? { authenticated: true, csrfToken: s.csrf, expiresAt: s.expiresAt } : { authenticated: false });
  });

  r.delete('/session', (req, res) => {
    const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    sessions.destroy(id);
    streams?.end(id, 'signed-out');
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  r.all('/session', methodNotAllowed(['GET', 'POST', 'DELETE']));
  return r;
}
