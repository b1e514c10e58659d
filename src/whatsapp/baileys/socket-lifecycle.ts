/**
 * The engine port (../engine.ts) over Baileys: the connection machine's commands become socket actions
 * (CONNECT, END, RESYNC, LOGOUT, WIPE_AUTH) and the socket's signals become engine events.
 *
 * - One socket per attempt, always the same auth object (the store's auth state): Baileys sockets are
 *   single-use, and a new auth object per attempt would lose keys written by the previous one.
 * - Never two live sockets: CONNECT ends the previous socket (marked self-inflicted) and waits for it.
 * - Everything the socket reports goes to the Ingestor (the store's only writer of socket data).
 * - No inbound message is acknowledged before it is committed (durable-receipts.ts: the receipt is held
 *   until `ingest.commitNow` has stored the message, because Baileys sends it before emitting the message).
 */
import makeWASocket, {
  ALL_WA_PATCH_NAMES,
  Browsers,
  jidNormalizedUser,
  proto,
  type BinaryNode,
  type GroupMetadata,
  type UserFacingSocketConfig,
  type WASocket,
  type WAPatchName,
} from '@whiskeysockets/baileys';
import type { EngineCommand, EngineEvent } from '../../../machines/events.js';
import { withTimeout } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Store, StoreAuthState } from '../../store/index.js';
import type { EngineFactory } from '../../runtime/engine.js';
import type { Ingestor } from '../ingest.js';
import type { BaileysLogger } from '../log-signals.js';
import { chatJidOf, messageId } from '../mapping.js';
import { durableReceipts } from './durable-receipts.js';
import { statusCodeOf, type LiveSocket, type SocketSlot } from './live-socket.js';

export interface SocketLifecycleDeps {
  store: Store;
  auth: StoreAuthState;
  slot: SocketSlot;
  ingest: Ingestor;
  logger: Logger;
  /** The logger handed to Baileys (wrapped by log-signals.ts to detect app-state failures). */
  baileysLogger: BaileysLogger;
  socketConfig?: Partial<UserFacingSocketConfig>;
  /** Called with every new socket (the simulator watches it to learn QR codes). */
  onSocket?: (sock: WASocket) => void;
  callTimeoutMs: number;
  /** How many app-state failure signals the log wrapper has seen so far (a resync succeeds only if none is added). */
  appStateSignals: () => number;
}

export interface SocketLifecycle {
  factory: EngineFactory;
  /** End the live socket (if any) and wait for it to close. */
  shutdown(): Promise<void>;
}

export function socketLifecycle(deps: SocketLifecycleDeps): SocketLifecycle {
  const { slot, auth, ingest, logger: log } = deps;
  const receipts = durableReceipts(deps.baileysLogger, log);

  function getMessageFromStore(key: proto.IMessageKey): proto.IMessage | undefined {
    const chat = chatJidOf(key);
    if (!chat || !key.id) return undefined;
    const raw = deps.store.messages.getRaw(messageId(chat, key.id));
    return raw ? (proto.WebMessageInfo.decode(raw).message ?? undefined) : undefined;
  }

  function cachedGroup(jid: string): GroupMetadata | undefined {
    const g = deps.store.groups.get(jid);
    if (!g) return undefined;
    return {
      id: g.id,
      subject: g.subject ?? '',
      owner: g.owner ?? undefined,
      creation: g.createdAt ? Math.floor(g.createdAt / 1000) : undefined,
      desc: g.description ?? undefined,
      participants: g.participants.map((p) => ({ id: p.id, admin: p.role === 'member' ? null : p.role })),
    };
  }

  async function endCurrent(reason: string): Promise<void> {
    const live = slot.current;
    if (!live) return;
    slot.current = null;
    live.selfInflicted = true;
    log.info({ reason }, 'ending socket');
    try {
      live.sock.end(undefined);
    } catch (err) {
      log.warn({ err }, 'error while ending socket');
    }
    // Wait for the close so a new socket never overlaps the old one (bounded: a dead ws may never report).
    await Promise.race([live.closed, new Promise((r) => setTimeout(r, 5_000))]);
  }

  function refreshGroup(live: LiveSocket, jid: string): void {
    if (!live.open) return;
    live.sock
      .groupMetadata(jid)
      .then((meta) => ingest.groups([meta]))
      .catch((err: unknown) => log.debug({ err, jid }, 'group metadata refresh failed'));
  }

  function connect(emit: (e: EngineEvent) => void): LiveSocket {
    const sock = makeWASocket({
      auth: auth.state,
      // Watches for the receipt log line that durable-receipts.ts hooks on (see there).
      logger: receipts.logger,
      // A desktop identity: WhatsApp sends the larger history sync only to desktop companions, and the
      // phone's "Linked devices" list shows a recognisable name.
      browser: Browsers.macOS('Desktop'),
      markOnlineOnConnect: false,
      // Keep every history chunk: the store batch-ingests it, and search works from day one.
      shouldSyncHistoryMessage: () => true,
      getMessage: async (key) => getMessageFromStore(key),
      cachedGroupMetadata: async (jid) => cachedGroup(jid),
      ...deps.socketConfig,
    });
    // Before the socket connects: from the first message on, its receipt waits for our commit.
    receipts.attach(sock, (upsert) => ingest.commitNow(upsert));
    let onClosed: () => void = () => {};
    const live: LiveSocket = { sock, emit, open: false, selfInflicted: false, closed: new Promise((r) => (onClosed = r)) };
    slot.current = live;
    deps.onSocket?.(sock);
    // WhatsApp refusing one of our sends answers with `<ack class="message" error="463|429">`. Baileys turns
    // it into a status update that its event buffer may hold for a long time (merged into the buffered
    // upsert of the send), so the raw ack is read here, as it arrives (Baileys listens the same way).
    sock.ws.on('CB:ack,class:message', (node: BinaryNode) => {
      if (node.attrs.error) ingest.sendRefused(node.attrs.error, node.attrs.from, node.attrs.id);
    });
    emit({ type: 'ENGINE.CONNECTING' });

    sock.ev.process(async (events) => {
      const update = events['connection.update'];
      if (update) {
        if (update.qr && slot.current === live) emit({ type: 'ENGINE.QR', qr: update.qr });
        if (update.connection === 'open' && slot.current === live) {
          live.open = true;
          const user = sock.user;
          const id = user?.id ? jidNormalizedUser(user.id) : '';
          ingest.setOwnJid(id || null);
          emit({ type: 'ENGINE.OPEN', me: { id, name: user?.name ?? user?.verifiedName ?? undefined, lid: user?.lid ? jidNormalizedUser(user.lid) : undefined } });
          // History sync only carries groups that had recent messages; list_groups promises all of them.
          sock
            .groupFetchAllParticipating()
            .then((groups) => ingest.groups(Object.values(groups)))
            .catch((err: unknown) => log.warn({ err }, 'could not fetch the group list'));
        }
        if (update.connection === 'close') {
          // Baileys discards its event buffer when a socket ends; a message it already acknowledged may
          // still be buffered there, so hand it to the ingest first (it arrives in a nested process call).
          sock.ev.flush();
          live.open = false;
          const wasCurrent = slot.current === live;
          if (wasCurrent) slot.current = null;
          onClosed();
          const err = update.lastDisconnect?.error;
          // No status code means the transport simply dropped: treat like "connection closed" (428).
          const code = statusCodeOf(err) ?? 428;
          log.info({ code, selfInflicted: live.selfInflicted }, 'socket closed');
          if (wasCurrent || live.selfInflicted) {
            emit({ type: 'ENGINE.CLOSED', code, reason: err instanceof Error ? err.message : 'connection closed', selfInflicted: live.selfInflicted });
          }
        }
      }
      if (events['creds.update']) await auth.saveCreds();
      // A store failure must not kill the socket's event loop; it is logged and the next batch goes on.
      ingest.handle(events, (jid) => refreshGroup(live, jid)).catch((err: unknown) => log.error({ err }, 'ingest failed'));
    });
    return live;
  }

  async function resync(collection: string, emit: (e: EngineEvent) => void): Promise<void> {
    const live = slot.current;
    if (!live?.open) {
      emit({ type: 'ENGINE.RESYNC_FAILED', collection, error: 'no open socket' });
      return;
    }
    const names = (collection === 'all' ? ALL_WA_PATCH_NAMES : [collection]) as WAPatchName[];
    const before = await auth.state.keys.get('app-state-sync-version', names);
    const signalsBefore = deps.appStateSignals();
    // Forget the collection's sync version so the resync starts from a fresh snapshot.
    await auth.state.keys.set({ 'app-state-sync-version': Object.fromEntries(names.map((n) => [n, null])) });
    try {
      await withTimeout(live.sock.resyncAppState(names, false), deps.callTimeoutMs, 'app-state resync');
    } catch (err) {
      emit({ type: 'ENGINE.RESYNC_FAILED', collection, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const after = await auth.state.keys.get('app-state-sync-version', names);
    // rc14's resyncAppState resolves even when decoding failed: success = no new failure signal and no
    // collection that had a version before and has none now.
    const lost = names.filter((n) => before[n] && !after[n]);
    if (deps.appStateSignals() === signalsBefore && lost.length === 0) {
      log.info({ collections: names.map((n) => `${n}@${after[n]?.version ?? 0}`) }, 'app-state resync done');
      emit({ type: 'ENGINE.RESYNC_DONE', collection });
    } else {
      emit({ type: 'ENGINE.RESYNC_FAILED', collection, error: lost.length ? `no state for ${lost.join(', ')}` : 'decoding failed again' });
    }
  }

  async function logout(): Promise<void> {
    const live = slot.current;
    if (live?.open) {
      live.selfInflicted = true;
      try {
        await withTimeout(live.sock.logout('logout requested'), 10_000, 'logout');
      } catch (err) {
        log.warn({ err }, 'server-side logout failed; wiping local auth anyway');
      }
    }
    await endCurrent('logout');
    auth.clear();
    log.info('auth state wiped (history kept)');
  }

  const factory: EngineFactory = (emit) => {
    /** The socket this worker created last: a stopping worker only ever ends its own socket. */
    let owned: LiveSocket | null = null;
    return {
      async handle(cmd: EngineCommand) {
        switch (cmd.type) {
          case 'CONNECT':
            await endCurrent('reconnect');
            owned = connect(emit);
            return;
          case 'END':
            await endCurrent(cmd.reason);
            return;
          case 'RESYNC':
            await resync(cmd.collection, emit);
            return;
          case 'LOGOUT':
            await logout();
            return;
          case 'WIPE_AUTH':
            auth.clear();
            log.info('auth state wiped (history kept)');
            return;
        }
      },
      async dispose() {
        // A newer worker may already own a newer socket (this dispose can run after a long command).
        if (owned && slot.current === owned) await endCurrent('worker stopped');
      },
    };
  };

  return { factory, shutdown: () => endCurrent('shutdown') };
}
