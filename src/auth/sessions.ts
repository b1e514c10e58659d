/**
 * Admin UI sessions: the admin token is exchanged once for an opaque session id in an HttpOnly,
 * SameSite=Strict cookie. Each session has its own CSRF token, required on state-changing requests that
 * authenticate by cookie (a bearer header is not ambient, so it needs none). In memory: a restart logs
 * the operator out, which is the safe direction.
 */
import { randomBytes } from 'node:crypto';

export interface AdminSession {
  id: string;
  csrf: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'wa_admin';

export class SessionStore {
  private readonly sessions = new Map<string, AdminSession>();

  constructor(private readonly ttlMs = 12 * 3600_000) {}

  create(now = Date.now()): AdminSession {
    this.prune(now);
    const s = { id: randomBytes(24).toString('base64url'), csrf: randomBytes(24).toString('base64url'), expiresAt: now + this.ttlMs };
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string | undefined, now = Date.now()): AdminSession | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.expiresAt <= now) {
      this.sessions.delete(id);
      return null;
    }
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private prune(now: number): void {
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}
