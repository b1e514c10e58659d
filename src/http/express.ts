/**
 * The Express factory: middleware order and error rendering around the routers the composition root
 * (src/app.ts) built. It never listens itself (the root does), so tests build the exact app that
 * production runs.
 *
 *   /healthz            public routers: no auth (a pure function of the lifecycle snapshot)
 *   /mcp, uploads, /media  raw routers: Host/Origin check only, no body parser; they authenticate themselves
 *   /api/session        login: admin login (cookie + CSRF), no auth to POST
 *   /api/*              admin credential + Host/Origin check, JSON bodies
 *   /metrics            admin credential
 *   /admin              the UI's static files (the page itself is public; its data is not)
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Express, type RequestHandler } from 'express';
import type { FailureLimiter } from '../auth/rate-limit.js';
import type { SessionStore } from '../auth/sessions.js';
import type { Tokens } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { LifecycleStatus } from '../runtime/index.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { requireAdmin } from './middleware/auth.js';
import { allowedHostSet, hostCheck } from './middleware/host-check.js';

export interface ExpressDeps {
  config: Pick<Config, 'host' | 'auth'>;
  tokens: Tokens;
  sessions: SessionStore;
  /** Wrong credentials per address (shared with the login route and the MCP guard). */
  limiter: FailureLimiter;
  logger: Logger;
  /** Lets "not connected" errors carry the lifecycle's retry hint. */
  status: () => LifecycleStatus;
  routes: {
    /** No credential at all (/healthz). */
    public: Router[];
    /** Before any body parser, behind the Host check only: they parse bodies and authenticate themselves. */
    raw: Router[];
    /** Under /api before the admin credential (the login itself). */
    login: Router;
    /** Under /api behind the admin credential. */
    api: Router[];
  };
  /** GET /metrics, behind the admin credential. */
  metrics: RequestHandler;
  /** Directory of the built admin UI; defaults to web/dist next to the package. */
  webDir?: string;
}

const here = dirname(fileURLToPath(import.meta.url));

function findWebDir(): string | undefined {
  // src/http → ../../web/dist from sources, dist/src/http → ../../../web/dist from the build.
  for (const rel of ['../../web/dist', '../../../web/dist']) {
    const p = resolve(here, rel);
    if (existsSync(join(p, 'index.html'))) return p;
  }
  return undefined;
}

/** Sent with every response (also by the MCP fast lane, mcp-lane.ts). */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
];

const securityHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  next();
};

export function createExpressApp(deps: ExpressDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // TRUST_PROXY: which proxy's X-Forwarded-For decides the client address (rate limits, logs); by
  // default none, so a client cannot choose its own address.
  app.set('trust proxy', deps.config.auth.trustProxy);
  // Express's fallback error page (only reached if our error handler itself failed) shows stack traces
  // unless the app runs in production mode, whatever NODE_ENV says.
  app.set('env', 'production');
  app.use(securityHeaders);

  for (const r of deps.routes.public) app.use(r);

  const hosts = hostCheck(allowedHostSet(deps.config.host, deps.config.auth.allowedHosts));
  const admin = requireAdmin(deps.tokens, deps.sessions, deps.limiter);

  for (const r of deps.routes.raw) app.use(hosts, r);

  const api = Router();
  // The login route parses its own (tiny) body; everything else is authenticated before its body is read.
  api.use(deps.routes.login);
  api.use(admin);
  api.use(express.json({ limit: '1mb', strict: true }));
  for (const r of deps.routes.api) api.use(r);
  api.use(notFoundHandler);
  app.use('/api', hosts, api);

  app.get('/metrics', admin, deps.metrics);

  app.get('/', (_req, res) => res.redirect(302, '/admin'));
  const webDir = deps.webDir ?? findWebDir();
  if (webDir) {
    // Hashed assets may be cached; index.html must not be, or an upgrade serves a page pointing at deleted files.
    app.use(
      '/admin',
      express.static(webDir, {
        index: 'index.html',
        fallthrough: true,
        maxAge: '1h',
        setHeaders: (res, path) => {
          if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
  } else {
    app.get('/admin', (_req, res) => {
      res
        .type('html')
        .send('<!doctype html><title>WhatsApp MCP admin</title><p>The admin UI is not built. Run <code>npm run build</code>.</p>');
    });
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger, deps.status));
  return app;
}
