/**
 * DNS-rebinding protection for /mcp and /api: the Host header must name this server, and a browser
 * Origin, when present, must match an allowed host. Bound to a loopback address with no ALLOWED_HOSTS,
 * the allowed set is the loopback names (plus the bound port). Bound to all interfaces with no
 * ALLOWED_HOSTS, any Host is accepted (we cannot know our public names) and tokens remain the guard.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../../errors.js';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function allowedHostSet(host: string, configured: string[]): Set<string> | null {
  if (configured.length > 0) return new Set(configured.map((h) => h.toLowerCase()));
  if (host === '0.0.0.0' || host === '::' || host === '') return null;
  return new Set([...LOOPBACK, host.toLowerCase()]);
}

function hostname(hostHeader: string): string {
  const h = hostHeader.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0] ?? h;
}

export function hostCheck(allowed: Set<string> | null): RequestHandler {
  return (req, _res, next) => {
    if (!allowed) return next();
    const host = req.headers.host;
    if (!host || (!allowed.has(hostname(host)) && !allowed.has(host.toLowerCase()))) {
      return next(new AppError('host_not_allowed', 'Host header not allowed', 'Set ALLOWED_HOSTS to add it'));
    }
    const origin = req.headers.origin;
    if (origin && origin !== 'null') {
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        return next(new AppError('origin_not_allowed', 'Origin header is malformed'));
      }
      if (!allowed.has(hostname(originHost)) && !allowed.has(originHost.toLowerCase())) {
        return next(new AppError('origin_not_allowed', 'Origin not allowed'));
      }
    }
    next();
  };
}
