/**
 * Admin login: POST /api/session {token} → HttpOnly SameSite=Strict cookie + CSRF token;
 * GET /api/session tells whether the cookie is valid (and returns the CSRF token again);
 * DELETE /api/session logs out. Login attempts are rate-limited per client address.
 */
import { Router } from 'express';
import { z } from 'zod';
import { SESSION_COOKIE, parseCookies, type SessionStore } from '../../auth/sessions.js';
import { tokenMatches, type Tokens } from '../../auth/tokens.js';
import { AppError } from '../../errors.js';
import { badRequest, methodNotAllowed } from '../errors.js';
import { sessionOf } from '../middleware/auth.js';

const LoginBody = z.object({ token: z.string().min(1).max(512) });

export function sessionRoutes(tokens: Tokens, sessions: SessionStore): Router {
  const r = Router();
  const failures = new Map<string, { count: number; resetAt: number }>();

  r.post('/session', (req, res) => {
    const ip = req.ip ?? 'unknown';
    const now = Date.now();
    const f = failures.get(ip);
    if (f && f.resetAt > now && f.count >= 10) {
      res.setHeader('Retry-After', String(Math.ceil((f.resetAt - now) / 1000)));
      throw new AppError('rate_limited', 'too many failed logins', 'Try again later');
    }
    const body = LoginBody.safeParse(req.body);
    if (!body.success) throw badRequest('expected JSON {"token": "<ADMIN_TOKEN>"}');
    if (tokens.admin !== null && !tokenMatches(body.data.token, tokens.admin)) {
      const entry = f && f.resetAt > now ? f : { count: 0, resetAt: now + 60_000 };
      entry.count++;
      failures.set(ip, entry);
      throw new AppError('unauthorized', 'wrong admin token');
    }
    failures.delete(ip);
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
    sessions.destroy(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  r.all('/session', methodNotAllowed(['GET', 'POST', 'DELETE']));
  return r;
}
