/**
 * The Baileys adapter, assembled: the engine port (baileys/socket-lifecycle.ts: commands from the
 * connection machine → socket actions; socket signals → engine events) and the gateway
 * (baileys/live-gateway.ts: live operations for services) around one shared socket slot and one Ingestor
 * (ingest.ts, the store's only writer of socket data).
 */
import type { UserFacingSocketConfig, WASocket } from '@whiskeysockets/baileys';
import type { AccountEvent } from '../../machines/events.js';
import type { Logger } from '../logger.js';
import { useStoreAuthState, type Store } from '../store/index.js';
import { liveGateway } from './baileys/live-gateway.js';
import { SocketSlot } from './baileys/live-socket.js';
import { socketLifecycle } from './baileys/socket-lifecycle.js';
import type { EngineFactory } from '../runtime/engine.js';
import type { WhatsAppGateway } from './gateway.js';
import { Ingestor } from './ingest.js';
import { signallingLogger } from './log-signals.js';

export interface BaileysEngineOptions {
  store: Store;
  logger: Logger;
  /** Logger for Baileys' own lines (usually the `baileys` child, at warn). */
  baileysLogger: Logger;
  /** Socket overrides: the simulator's URL, version and shorter timeouts. */
  socketConfig?: Partial<UserFacingSocketConfig>;
  /** Called with every new socket (the simulator watches it to learn QR codes). */
  onSocket?: (sock: WASocket) => void;
  /** Called with the chats that received new messages (MCP resource notifications, auto-download). */
  onMessages?: (chatIds: string[]) => void;
  /** Called with account facts (WhatsApp refusing our sends with 463/429). */
  onAccount?: (event: AccountEvent) => void;
  /** Upper bound for one live call (send, metadata…). */
  callTimeoutMs?: number;
  /** LINK_METHOD / the live `link_method` setting (issue #14): which identity an unpaired socket announces. */
  linkMethod?: () => 'qr' | 'code';
}

export interface BaileysEngine {
  factory: EngineFactory;
  gateway: WhatsAppGateway;
  /** End the live socket (if any) and wait for it to close. */
  shutdown(): Promise<void>;
}

export function createBaileysEngine(opts: BaileysEngineOptions): BaileysEngine {
  const log = opts.logger;
  const slot = new SocketSlot();
  const ingest = new Ingestor(opts.store, log, opts.onMessages, opts.onAccount);
  const callTimeoutMs = opts.callTimeoutMs ?? 30_000;
  let appStateSignals = 0;

  const baileysLogger = signallingLogger(opts.baileysLogger, (signal) => {
    appStateSignals++;
    log.warn({ collection: signal.collection }, 'app-state sync failure detected');
    // Log lines carry no socket identity; they belong to the live socket's worker.
    slot.current?.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: signal.collection, detail: signal.detail });
  });

  const lifecycle = socketLifecycle({
    store: opts.store,
    auth: useStoreAuthState(opts.store),
    slot,
    ingest,
    logger: log,
    baileysLogger,
    socketConfig: opts.socketConfig,
    onSocket: opts.onSocket,
    callTimeoutMs,
    appStateSignals: () => appStateSignals,
    linkMethod: opts.linkMethod,
  });
  const gateway = liveGateway({ store: opts.store, slot, ingest, baileysLogger, callTimeoutMs });
  return { factory: lifecycle.factory, gateway, shutdown: lifecycle.shutdown };
}
