/**
 * The application assembled from its parts, with create → start → stop (teardown in reverse order).
 * main.ts wraps it with signals; e2e tests start it on port 0 exactly the same way.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import { SessionStore } from './auth/sessions.js';
import { resolveTokens, type Tokens } from './auth/tokens.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/app.js';
import { childLogger, type Logger } from './logger.js';
import { createRuntime, type Runtime } from './runtime/index.js';
import { idleEngine, type EngineFactory } from './whatsapp/engine.js';

export interface App {
  config: Config;
  runtime: Runtime;
  tokens: Tokens;
  /** Listens on config.host:config.port (port 0 = any free port) and resolves with the base URL. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** The WhatsApp engine; the composition root picks Baileys (or the simulator); tests may script one. */
  engine?: EngineFactory;
  sseHeartbeatMs?: number;
}

export function createApp(config: Config, root: Logger, opts: AppOptions = {}): App {
  const log = childLogger(root, 'main');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const tokens = resolveTokens({
    dataDir: config.dataDir,
    disabled: config.auth.disabled,
    mcpToken: config.auth.mcpToken,
    adminToken: config.auth.adminToken,
    log: childLogger(root, 'auth'),
  });
  const runtime = createRuntime({
    lifecycle: config.lifecycle,
    engine: opts.engine ?? idleEngine,
    logger: childLogger(root, 'runtime'),
  });
  const sessions = new SessionStore();
  const http = createHttpApp({
    config,
    runtime,
    tokens,
    sessions,
    logger: childLogger(root, 'http'),
    sseHeartbeatMs: opts.sseHeartbeatMs,
  });
  let server: Server | null = null;

  return {
    config,
    runtime,
    tokens,
    async start() {
      runtime.start();
      server = createHttpServer(http.app);
      // SSE streams and MCP GET streams are long-lived; do not let the default timeouts cut them.
      server.requestTimeout = 0;
      server.headersTimeout = 60_000;
      await new Promise<void>((resolveListen, reject) => {
        server!.once('error', reject);
        server!.listen(config.port, config.host, () => resolveListen());
      });
      const port = (server.address() as AddressInfo).port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
      const url = `http://${host}:${port}`;
      log.info({ url }, 'listening');
      return { url, port };
    },
    async stop() {
      // Reverse order: stop accepting, then the supervisor (closes the socket), then storage.
      if (server) {
        const s = server;
        server = null;
        await new Promise<void>((r) => {
          s.close(() => r());
          s.closeAllConnections();
        });
      }
      http.dispose();
      runtime.stop();
      log.info('stopped');
    },
  };
}
