/**
 * The express app factory. It never listens itself (main.ts and the tests do), so tests build the
 * exact app that production runs.
 *
 *   /healthz            no auth; pure function of the lifecycle snapshot
 *   /api/session        admin login (cookie + CSRF), no auth to POST
 *   /api/*              admin credential + Host/Origin check
 *   /mcp                MCP bearer token + Host/Origin check (mounted by the MCP layer)
 *   /metrics            admin credential
 *   /admin              the UI's static files (the page itself is public; its data is not)
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Express, type RequestHandler } from 'express';
import type { SessionStore } from '../auth/sessions.js';
import type { Tokens } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { requireAdmin } from './middleware/auth.js';
import { allowedHostSet, hostCheck } from './middleware/host-check.js';
import { healthRoutes } from './routes/health.js';
import { createMetrics } from './routes/metrics.js';
import { sessionRoutes } from './routes/session.js';
import { stateRoutes } from './routes/state.js';

export interface HttpDeps {
  config: Pick<Config, 'host' | 'auth'>;
  runtime: Runtime;
  tokens: Tokens;
  sessions: SessionStore;
  logger: Logger;
  /** Extra authenticated /api routers (store, media, settings, simulator control…), mounted after the core ones. */
  apiRouters?: Router[];
  /** Routers mounted before the JSON body parser (they parse their own bodies: uploads, /mcp). */
  rawRouters?: Router[];
  counters?: () => Record<string, number>;
  sseHeartbeatMs?: number;
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

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

export function createHttpApp(deps: HttpDeps): { app: Express; dispose: () => void } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders);

  app.use(healthRoutes(deps.runtime));

  const hosts = hostCheck(allowedHostSet(deps.config.host, deps.config.auth.allowedHosts));
  const admin = requireAdmin(deps.tokens, deps.sessions);

  for (const r of deps.rawRouters ?? []) app.use(hosts, r);

  const api = Router();
  api.use(express.json({ limit: '1mb', strict: true }));
  api.use(sessionRoutes(deps.tokens, deps.sessions));
  api.use(admin);
  api.use(stateRoutes({ runtime: deps.runtime, counters: deps.counters, heartbeatMs: deps.sseHeartbeatMs }));
  for (const r of deps.apiRouters ?? []) api.use(r);
  api.use(notFoundHandler);
  app.use('/api', hosts, api);

  const metrics = createMetrics(deps.runtime);
  app.get('/metrics', admin, metrics.handler);

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
  app.use(errorHandler(deps.logger));
  return { app, dispose: metrics.dispose };
}
