/**
 * The application assembled from its parts, with create → start → stop (teardown in reverse order).
 * main.ts wraps it with signals; e2e tests start it on port 0 exactly the same way.
 *
 * Order: data dir → tokens → store → runtime (supervisor tree) → backend (Baileys or simulator, built in
 * start() because the simulator listens asynchronously) → HTTP app (+ /mcp) → listen.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { UserFacingSocketConfig } from '@whiskeysockets/baileys';
import { Router } from 'express';
import { SessionStore } from './auth/sessions.js';
import { resolveTokens, type Tokens } from './auth/tokens.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/app.js';
import { requireMcpToken } from './http/middleware/auth.js';
import { simulatorRoutes } from './http/routes/simulator.js';
import { childLogger, type Logger } from './logger.js';
import { createMediaServices, registerMediaTools, type MediaServices } from './media/index.js';
import type { McpDeps } from './mcp/deps.js';
import { createMcpHttp, type McpHttp } from './mcp/http.js';
import type { McpStdio } from './mcp/stdio.js';
import { createRuntime, type Runtime } from './runtime/index.js';
import type { Simulator } from './simulator/index.js';
import { openStore, type Store } from './store/index.js';
import type { EngineFactory } from './whatsapp/engine.js';
import type { WhatsAppGateway } from './whatsapp/gateway.js';
import { disconnectedGateway } from './whatsapp/disconnected-gateway.js';
import { createBackend, type Backend } from './whatsapp/setup.js';

export interface App {
  config: Config;
  runtime: Runtime;
  store: Store;
  /** The MCP layer (sessions, services, notification hub). */
  mcp: McpHttp;
  /** Media, settings and the admin data routes. */
  media: MediaServices;
  /** Live operations of the current backend (not connected until start()). */
  gateway: WhatsAppGateway;
  tokens: Tokens;
  /** The simulator the backend talks to, when there is one (after start()). */
  readonly simulator: Simulator | null;
  /** Listens on config.host:config.port (port 0 = any free port) and resolves with the base URL. */
  start(): Promise<{ url: string; port: number }>;
  /** MCP over stdin/stdout (`--stdio`); resolves once the transport is ready. */
  startStdio(): Promise<{ closed: Promise<void> }>;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** A scripted engine (tests): replaces the Baileys backend entirely. */
  engine?: EngineFactory;
  /** With `engine`: the gateway that goes with it. */
  gateway?: WhatsAppGateway;
  /** An external simulator instance (tests): Baileys connects to it. */
  simulator?: Simulator;
  /** Extra Baileys socket settings (tests shorten timeouts). */
  socketConfig?: Partial<UserFacingSocketConfig>;
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
  const store = openStore(config.dbPath);

  // The backend is built in start(); until then (and with no backend) these delegate to "not connected".
  let backend: Backend | null = null;
  const fallbackGateway = opts.gateway ?? disconnectedGateway();
  const gateway: WhatsAppGateway = new Proxy({} as WhatsAppGateway, {
    get: (_t, prop: keyof WhatsAppGateway) => (backend?.gateway ?? fallbackGateway)[prop],
  });
  const engine: EngineFactory = (emit) => {
    if (opts.engine) return opts.engine(emit);
    if (!backend) throw new Error('backend not started');
    return backend.factory(emit);
  };

  const runtime = createRuntime({ lifecycle: config.lifecycle, engine, logger: childLogger(root, 'runtime') });
  const sessions = new SessionStore();
  const media = createMediaServices({ config, store, gateway, runtime, tokens, sessions, logger: childLogger(root, 'media') });
  // The same deps serve HTTP sessions and stdio: 26 core tools plus the media module's three.
  const mcpDeps: McpDeps = {
    config,
    runtime,
    store,
    gateway,
    logger: childLogger(root, 'mcp'),
    settings: media.settings,
    extraTools: (server) => registerMediaTools(server, media.tools),
  };
  const mcp = createMcpHttp(mcpDeps);
  const mcpGuard = Router();
  mcpGuard.use('/mcp', requireMcpToken(tokens));
  mcpGuard.use(mcp.router);
  let stdio: McpStdio | null = null;
  const notifyMessages = (chatIds: string[]) => {
    mcp.notifyNewMessages(chatIds);
    media.onMessages(chatIds);
  };

  const http = createHttpApp({
    config,
    runtime,
    tokens,
    sessions,
    logger: childLogger(root, 'http'),
    sseHeartbeatMs: opts.sseHeartbeatMs,
    rawRouters: [mcpGuard, ...media.rawRouters],
    apiRouters: [simulatorRoutes(() => backend?.simulator ?? null), ...media.apiRouters],
    counters: () => ({ ...store.counters.get() }),
  });
  let server: Server | null = null;

  return {
    config,
    runtime,
    store,
    mcp,
    media,
    gateway,
    tokens,
    get simulator() {
      return backend?.simulator ?? null;
    },
    async start() {
      if (!opts.engine) {
        backend = await createBackend({
          config,
          store,
          logger: childLogger(root, 'whatsapp'),
          // Baileys is chatty at info; keep it at warn unless the operator asked for debug/trace.
          baileysLogger: childLogger(root, 'baileys').child({}, { level: root.levelVal >= 40 || root.levelVal <= 20 ? root.level : 'warn' }),
          simulator: opts.simulator,
          socketConfig: opts.socketConfig,
          onMessages: notifyMessages,
        });
      }
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
    async startStdio() {
      // Same services and hub as /mcp (duplicate window, idempotency waiters, notifications).
      stdio = await mcp.serveStdio();
      return { closed: stdio.closed };
    },
    async stop() {
      // Reverse order: stop accepting, close MCP sessions, stop the supervisor (ends the socket), then
      // the backend and storage.
      if (server) {
        const s = server;
        server = null;
        await new Promise<void>((r) => {
          s.close(() => r());
          s.closeAllConnections();
        });
      }
      await mcp.closeAll();
      await stdio?.close();
      await media.close();
      http.dispose();
      runtime.stop();
      await backend?.stop();
      store.close();
      log.info('stopped');
    },
  };
}
