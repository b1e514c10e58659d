/**
 * The composition root: the one place that builds every part and wires them, with create → start → stop
 * (teardown in reverse order). src/main.ts wraps it with signals, src/mcp/stdio-main.ts with a stdio-only
 * entry, and the e2e tests start it on port 0 exactly the same way.
 *
 * Order: data dir → tokens → store → settings → runtime (supervisor tree) → services → media → MCP →
 * HTTP routers → Express app. The WhatsApp backend (Baileys or the simulator) is built in start(),
 * because the simulator listens asynchronously; until then the gateway answers "not connected".
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { UserFacingSocketConfig } from '@whiskeysockets/baileys';
import { Router } from 'express';
import { FailureLimiter } from './auth/rate-limit.js';
import { SessionStore } from './auth/sessions.js';
import { resolveTokens, type Tokens } from './auth/tokens.js';
import type { Config } from './config.js';
import { guardConnections } from './http/connection-guard.js';
import { createExpressApp } from './http/express.js';
import { requireMcpToken } from './http/middleware/auth.js';
import { allowedHostSet } from './http/middleware/host-check.js';
import { mcpLane } from './http/mcp-lane.js';
import { avatarRoutes } from './http/routes/avatar.js';
import { chatsRoutes } from './http/routes/chats.js';
import { exportRoutes } from './http/routes/export.js';
import { healthRoutes } from './http/routes/health.js';
import { ChatEvents, liveChatRoutes } from './http/routes/live-chats.js';
import { mediaFileRoutes } from './http/routes/media-files.js';
import { createMetrics } from './http/routes/metrics.js';
import { opsRoutes } from './http/routes/ops.js';
import { pairingCodeRoutes } from './http/routes/pairing-code.js';
import { qrRoutes } from './http/routes/qr.js';
import { sessionRoutes } from './http/routes/session.js';
import { SessionStreams } from './http/routes/session-streams.js';
import { settingsRoutes } from './http/routes/settings.js';
import { safetyRoutes } from './http/routes/safety.js';
import { simulatorRoutes } from './http/routes/simulator.js';
import { stateRoutes } from './http/routes/state.js';
import { uploadRoutes } from './http/routes/uploads.js';
import { childLogger, type Logger } from './logger.js';
import { createMedia, type Media } from './media/index.js';
import { MCP_BODY_LIMIT_BYTES, PARSE_ERROR, createMcpHttp, type McpHttp } from './mcp/http.js';
import { rpcError } from './mcp/rpc-error.js';
import { collectExecutors } from './mcp/safety.js';
import { registerAllTools } from './mcp/tools/index.js';
import { SendGate, type Clock } from './services/safety/gate.js';
import type { McpStdio } from './mcp/stdio.js';
import { attachEventStream, createRuntime, type Runtime } from './runtime/index.js';
import { createServices, type Services } from './services/index.js';
import { createSettingsStore, type SettingsStore } from './settings/index.js';
import type { Simulator } from './simulator/index.js';
import { openStore, type Store } from './store/index.js';
import { ensurePrivateFile, tightenDataDir } from './util/private-files.js';
import type { EngineFactory } from './runtime/engine.js';
import { disconnectedGateway } from './whatsapp/disconnected-gateway.js';
import { forwardingGateway, type WhatsAppGateway } from './whatsapp/gateway.js';
import { createBackend, type Backend } from './whatsapp/setup.js';

export interface App {
  config: Config;
  runtime: Runtime;
  store: Store;
  settings: SettingsStore;
  services: Services;
  media: Media;
  /** The MCP layer (sessions and the notification hub). */
  mcp: McpHttp;
  /** Send safety: policy, approvals, the outbox and the audit log. */
  safety: SendGate;
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
  /** A scripted or idle engine: replaces the Baileys backend entirely (tests, the stdio-only entry). */
  engine?: EngineFactory;
  /** With `engine`: the gateway that goes with it (default: always "not connected"). */
  gateway?: WhatsAppGateway;
  /** An external simulator instance (tests): Baileys connects to it. */
  simulator?: Simulator;
  /** Extra Baileys socket settings (tests shorten timeouts). */
  socketConfig?: Partial<UserFacingSocketConfig>;
  sseHeartbeatMs?: number;
  /** A request whose bytes stop arriving is cut after this (default 30 s); authenticated streams are exempt. */
  idleTimeoutMs?: number;
  /** Open connections per address that have not authenticated yet (default 64). */
  maxUnauthenticatedPerAddress?: number;
  /** Time for send-safety pacing and expiry (tests pass a fake clock). */
  clock?: Clock;
  /** Randomness of pacing jitter (tests pass a fixed one). */
  random?: () => number;
}

export function createApp(config: Config, root: Logger, opts: AppOptions = {}): App {
  const log = childLogger(root, 'main');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  tightenDataDir(config.dataDir, log);
  const tokens = resolveTokens({
    dataDir: config.dataDir,
    disabled: config.auth.disabled,
    mcpToken: config.auth.mcpToken,
    adminToken: config.auth.adminToken,
    log: childLogger(root, 'auth'),
  });
  ensurePrivateFile(config.dbPath);
  const store = openStore(config.dbPath);
  const settings = createSettingsStore({ config, logger: childLogger(root, 'settings') });

  // The backend is built in start(); until then (and with no backend) these delegate to "not connected".
  let backend: Backend | null = null;
  const fallbackGateway = opts.gateway ?? disconnectedGateway();
  const gateway = forwardingGateway(() => backend?.gateway ?? fallbackGateway);
  const engine: EngineFactory = (emit) => {
    if (opts.engine) return opts.engine(emit);
    if (!backend) throw new Error('backend not started');
    return backend.factory(emit);
  };

  const runtime = createRuntime({ lifecycle: config.lifecycle, engine, logger: childLogger(root, 'runtime'), eventLog: config.whatsapp.eventLog });
  // WA_EVENT_STREAM: attached before the runtime starts, so the boot transitions are recorded too.
  const eventStream = config.whatsapp.eventStream ? attachEventStream(runtime, { path: config.whatsapp.eventStreamPath, logger: childLogger(root, 'runtime') }) : null;
  // The read rules live in the send gate, built below with the services it needs; resolution asks it late.
  const services = createServices({ config, runtime, store, gateway, settings, logger: childLogger(root, 'services'), canRead: (jid) => safety.canRead(jid) });
  const media = createMedia({ config, store, gateway, runtime, settings, idempotency: services.idempotency, logger: childLogger(root, 'media') });
  // Send safety (issue #15): one gate for every write; it runs deferred writes through the tools' own code.
  const safety = new SendGate({ store, runtime, settings, gateway, logger: childLogger(root, 'safety'), clock: opts.clock, random: opts.random });
  const mcpDeps = { config, runtime, store, services, media: media.service, safety, settings, logger: childLogger(root, 'mcp') };
  safety.setExecutor(collectExecutors((target) => registerAllTools(target, mcpDeps, { gated: false })));
  const mcp = createMcpHttp(mcpDeps);
  let stdio: McpStdio | null = null;
  /** Open admin chat views (GET /api/chats/events). */
  const chatEvents = new ChatEvents();
  /** The adapter stored new messages in these chats: tell MCP subscribers, the auto-downloader and the admin UI. */
  const onMessages = (chatIds: string[]) => {
    mcp.notifyNewMessages(chatIds);
    media.onMessages(chatIds);
    chatEvents.publish(chatIds);
  };

  const sessions = new SessionStore();
  const sessionStreams = new SessionStreams(sessions);
  const limiter = new FailureLimiter();
  const mcpGuard = Router();
  mcpGuard.use('/mcp', requireMcpToken(tokens, limiter));
  mcpGuard.use(mcp.router);
  const metrics = createMetrics(runtime);
  const mediaLog = childLogger(root, 'media');
  const http = createExpressApp({
    config,
    tokens,
    sessions,
    limiter,
    logger: childLogger(root, 'http'),
    status: () => runtime.getStatus(),
    routes: {
      public: [healthRoutes(runtime)],
      raw: [
        mcpGuard,
        uploadRoutes({ tokens, sessions, limiter, settings, service: media.service }),
        mediaFileRoutes({ tokens, sessions, limiter, media: media.store, signer: media.signer }),
      ],
      login: sessionRoutes(tokens, sessions, limiter, sessionStreams),
      api: [
        stateRoutes({ runtime, counters: () => ({ ...store.counters.get() }), heartbeatMs: opts.sseHeartbeatMs, streams: sessionStreams }),
        settingsRoutes(settings),
        qrRoutes(runtime),
        pairingCodeRoutes(runtime),
        chatsRoutes(store),
        liveChatRoutes({ store, chats: services.chats, events: chatEvents, streams: sessionStreams, heartbeatMs: opts.sseHeartbeatMs }),
        avatarRoutes(store, gateway),
        exportRoutes({ store, media: media.store, logger: mediaLog }),
        simulatorRoutes(() => backend?.simulator ?? null),
        opsRoutes({ store, tokens, dataDir: config.dataDir }),
        safetyRoutes(safety, { timeZone: config.displayTimeZone }),
      ],
    },
    metrics: metrics.handler,
  });
  let server: Server | null = null;
  let workers: Promise<void> | null = null;
  /** Backend + supervisor, once, whichever of start()/startStdio() comes first. */
  const startWorkers = () =>
    (workers ??= (async () => {
      if (!opts.engine) {
        backend = await createBackend({
          config,
          store,
          logger: childLogger(root, 'whatsapp'),
          // Baileys is chatty at info; keep it at warn unless the operator asked for debug/trace.
          baileysLogger: childLogger(root, 'baileys').child({}, { level: root.levelVal >= 40 || root.levelVal <= 20 ? root.level : 'warn' }),
          simulator: opts.simulator,
          socketConfig: opts.socketConfig,
          onMessages,
          onAccount: (event) => runtime.report(event),
          linkMethod: () => settings.get().link_method,
        });
      }
      runtime.start();
      safety.start();
    })());

  return {
    config,
    runtime,
    store,
    settings,
    services,
    media,
    mcp,
    safety,
    gateway,
    tokens,
    get simulator() {
      return backend?.simulator ?? null;
    },
    async start() {
      await startWorkers();
      // The everyday MCP call skips Express when every check passes; all else is Express's (mcp-lane.ts).
      const srv = createHttpServer(
        mcpLane({
          allowedHosts: allowedHostSet(config.host, config.auth.allowedHosts),
          tokens,
          limiter,
          // Without TRUST_PROXY, Express's client address is the socket's too (clientAddress in auth.ts).
          clientAddress: config.auth.trustProxy === false ? (req) => req.socket.remoteAddress ?? 'unknown' : undefined,
          bodyLimit: MCP_BODY_LIMIT_BYTES,
          serve: mcp.serveSessionPost,
          parseError: (res) => rpcError(res, 400, -32700, PARSE_ERROR),
          fallback: http,
        }),
      );
      server = srv;
      guardConnections(srv, { idleTimeoutMs: opts.idleTimeoutMs ?? 30_000, maxUnauthenticatedPerAddress: opts.maxUnauthenticatedPerAddress ?? 64 });
      await new Promise<void>((resolveListen, reject) => {
        srv.once('error', reject);
        srv.listen(config.port, config.host, () => resolveListen());
      });
      const port = (srv.address() as AddressInfo).port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
      const url = `http://${host}:${port}`;
      log.info({ url }, 'listening');
      return { url, port };
    },
    async startStdio() {
      // Same services and hub as /mcp (duplicate window, idempotency waiters, notifications).
      await startWorkers();
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
      metrics.dispose();
      safety.stop();
      services.close();
      runtime.stop();
      eventStream?.close();
      await backend?.stop();
      store.close();
      log.info('stopped');
    },
  };
}
