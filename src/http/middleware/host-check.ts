/**
 * DNS-rebinding and cross-site protection for /mcp, /api, uploads and /media:
 * - The Host header is parsed strictly (name, IPv4 or [IPv6], optional port; `[::1]evil` is refused) and,
 *   when an allow-list applies, must name this server. Bound to a loopback address with no ALLOWED_HOSTS,
 *   the list is the loopback names; bound to all interfaces with no ALLOWED_HOSTS, any well-formed Host is
 *   accepted (we cannot know our public names) and tokens remain the guard.
 * - A browser's Origin, when present, must be allowed too — and even when any Host is accepted it must be
 *   this same host (a page on another site can never drive the API with the user's cookie). `Origin: null`
 *   (sandboxed frames, file: pages) and `Sec-Fetch-Site: cross-site` are refused.
 * Non-browser clients (MCP SDKs, curl) send no Origin and are unaffected.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../../errors.js';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function allowedHostSet(host: string, configured: string[]): Set<string> | null {
  if (configured.length > 0) return new Set(configured.map((h) => h.toLowerCase()));
  if (host === '0.0.0.0' || host === '::' || host === '') return null;
  return new Set([...LOOPBACK, host.toLowerCase()]);
}

const HOST_RE = /^(?:(\[[0-9a-f:.]+\])|([a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*\.?))(?::(\d{1,5}))?$/;

/** `{name, port}` of a Host header value, or null when it is not a well-formed host[:port]. */
export function parseHost(value: string): { name: string; port: string | null } | null {
  const m = HOST_RE.exec(value.trim().toLowerCase());
  if (!m) return null;
  const port = m[3] ?? null;
  if (port !== null && Number(port) > 65_535) return null;
  return { name: (m[1] ?? m[2] ?? '').replace(/\.$/, ''), port };
}

function allowed(set: Set<string>, h: { name: string; port: string | null }): boolean {
  return set.has(h.name) || (h.port !== null && set.has(`${h.name}:${h.port}`));
}

/** Why a request's Host/Origin/Sec-Fetch-Site headers are refused, or null when they pass. */
export function hostProblem(allowList: Set<string> | null, headers: IncomingHttpHeaders): AppError | null {
  const host = parseHost(headers.host ?? '');
  if (!host) return new AppError('bad_request', 'malformed or missing Host header');
  if (allowList && !allowed(allowList, host)) return new AppError('host_not_allowed', 'Host header not allowed', 'Set ALLOWED_HOSTS to add it');
  if (headers['sec-fetch-site'] === 'cross-site') return new AppError('origin_not_allowed', 'cross-site requests are not allowed');
  const origin = headers.origin;
  if (origin === undefined) return null;
  let originHost: { name: string; port: string | null } | null = null;
  try {
    originHost = origin === 'null' ? null : parseHost(new URL(origin).host);
  } catch {
    originHost = null;
  }
  if (!originHost) return new AppError('origin_not_allowed', 'Origin header is malformed or opaque');
  const ok = allowList ? allowed(allowList, originHost) : originHost.name === host.name && originHost.port === host.port;
  return ok ? null : new AppError('origin_not_allowed', 'Origin not allowed');
}

export function hostCheck(allowList: Set<string> | null): RequestHandler {
  return (req, _res, next) => {
    const problem = hostProblem(allowList, req.headers);
    if (problem) next(problem);
    else next();
  };
}
