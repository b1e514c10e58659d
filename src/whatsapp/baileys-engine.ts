/**
 * The Baileys adapter: implements the engine port (commands from the connection machine → socket
 * actions; socket signals → engine events) and the gateway (live operations for services).
 *
 * - One socket per attempt, always the same auth object (the store's auth state): Baileys sockets are
 *   single-use, and a new auth object per attempt would lose keys written by the previous one.
 * - Never two live sockets: CONNECT ends the previous socket (marked self-inflicted) and waits for it.
 * - Everything the socket reports is written to the store by `ingest.ts`.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import makeWASocket, {
  ALL_WA_PATCH_NAMES,
  Browsers,
  downloadMediaMessage,
  jidNormalizedUser,
  proto,
  type AnyMessageContent,
  type GroupMetadata,
  type UserFacingSocketConfig,
  type WAMessage,
  type WASocket,
  type WAPatchName,
} from '@whiskeysockets/baileys';
import type { EngineCommand, EngineEvent } from '../../machines/events.js';
import type { Logger } from '../logger.js';
import { useStoreAuthState, type Store } from '../store/index.js';
import type { EngineFactory } from './engine.js';
import { NotConnectedError, type GroupInfo, type OutgoingMedia, type SentMessage, type WhatsAppGateway } from './gateway.js';
import { Ingestor } from './ingest.js';
import { signallingLogger } from './log-signals.js';
import { chatJidOf, messageId } from './mapping.js';

export interface BaileysEngineOptions {
  store: Store;
  logger: Logger;
  /** Logger for Baileys' own lines (usually the `baileys` child, at warn). */
  baileysLogger: Logger;
  /** Socket overrides: the simulator's URL, version and shorter timeouts. */
  socketConfig?: Partial<UserFacingSocketConfig>;
  /** Called with every new socket (the simulator watches it to learn QR codes). */
  onSocket?: (sock: WASocket) => void;
  /** Called with the chats that received new messages (MCP resource notifications). */
  onMessages?: (chatIds: string[]) => void;
  /** Upper bound for one live call (send, metadata…). */
  callTimeoutMs?: number;
}

interface LiveSocket {
  sock: WASocket;
  /** The event sink of the worker that created this socket: its events never reach a later worker. */
  emit: (e: EngineEvent) => void;
  open: boolean;
  selfInflicted: boolean;
  closed: Promise<void>;
}

function closeCodeOf(err: unknown): number | undefined {
  const e = err as { output?: { statusCode?: number } } | undefined;
  return e?.output?.statusCode;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface BaileysEngine {
  factory: EngineFactory;
  gateway: WhatsAppGateway;
  /** End the live socket (if any) and wait for it to close. */
  shutdown(): Promise<void>;
}

export function createBaileysEngine(opts: BaileysEngineOptions): BaileysEngine {
  const log = opts.logger;
  const auth = useStoreAuthState(opts.store);
  const ingest = new Ingestor(opts.store, log, opts.onMessages);
  const callTimeout = opts.callTimeoutMs ?? 30_000;
  let current: LiveSocket | null = null;
  let appStateSignals = 0;

  const baileysLogger = signallingLogger(opts.baileysLogger, (signal) => {
    appStateSignals++;
    log.warn({ collection: signal.collection }, 'app-state sync failure detected');
    // Log lines carry no socket identity; they belong to the live socket's worker.
    current?.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: signal.collection, detail: signal.detail });
  });

  function getMessageFromStore(key: proto.IMessageKey): proto.IMessage | undefined {
    const chat = chatJidOf(key);
    if (!chat || !key.id) return undefined;
    const raw = opts.store.messages.getRaw(messageId(chat, key.id));
    return raw ? (proto.WebMessageInfo.decode(raw).message ?? undefined) : undefined;
  }

  function cachedGroup(jid: string): GroupMetadata | undefined {
    const g = opts.store.groups.get(jid);
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
    const live = current;
    if (!live) return;
    current = null;
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

  function connect(emit: (e: EngineEvent) => void): LiveSocket {
    const sock = makeWASocket({
      auth: auth.state,
      logger: baileysLogger,
      // A desktop identity: WhatsApp sends the larger history sync only to desktop companions, and the
      // phone's "Linked devices" list shows a recognisable name.
      browser: Browsers.macOS('Desktop'),
      markOnlineOnConnect: false,
      // Keep every history chunk: the store batch-ingests it, and search works from day one.
      shouldSyncHistoryMessage: () => true,
      getMessage: async (key) => getMessageFromStore(key),
      cachedGroupMetadata: async (jid) => cachedGroup(jid),
      ...opts.socketConfig,
    });
    let onClosed: () => void = () => {};
    const live: LiveSocket = { sock, emit, open: false, selfInflicted: false, closed: new Promise((r) => (onClosed = r)) };
    current = live;
    opts.onSocket?.(sock);
    emit({ type: 'ENGINE.CONNECTING' });

    sock.ev.process(async (events) => {
      const update = events['connection.update'];
      if (update) {
        if (update.qr && current === live) emit({ type: 'ENGINE.QR', qr: update.qr });
        if (update.connection === 'open' && current === live) {
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
          live.open = false;
          const wasCurrent = current === live;
          if (wasCurrent) current = null;
          onClosed();
          const err = update.lastDisconnect?.error;
          // No status code means the transport simply dropped: treat like "connection closed" (428).
          const code = closeCodeOf(err) ?? 428;
          log.info({ code, selfInflicted: live.selfInflicted }, 'socket closed');
          if (wasCurrent || live.selfInflicted) {
            emit({ type: 'ENGINE.CLOSED', code, reason: err instanceof Error ? err.message : 'connection closed', selfInflicted: live.selfInflicted });
          }
        }
      }
      if (events['creds.update']) await auth.saveCreds();
      try {
        ingest.handle(events, (jid) => refreshGroup(live, jid));
      } catch (err) {
        // A store failure must not kill the socket's event loop; it is logged and the next batch goes on.
        log.error({ err }, 'ingest failed');
      }
    });
    return live;
  }

  function refreshGroup(live: LiveSocket, jid: string): void {
    if (!live.open) return;
    live.sock
      .groupMetadata(jid)
      .then((meta) => ingest.groups([meta]))
      .catch((err: unknown) => log.debug({ err, jid }, 'group metadata refresh failed'));
  }

  async function resync(collection: string, emit: (e: EngineEvent) => void): Promise<void> {
    const live = current;
    if (!live?.open) {
      emit({ type: 'ENGINE.RESYNC_FAILED', collection, error: 'no open socket' });
      return;
    }
    const names = (collection === 'all' ? ALL_WA_PATCH_NAMES : [collection]) as WAPatchName[];
    const before = await auth.state.keys.get('app-state-sync-version', names);
    const signalsBefore = appStateSignals;
    // Forget the collection's sync version so the resync starts from a fresh snapshot.
    await auth.state.keys.set({ 'app-state-sync-version': Object.fromEntries(names.map((n) => [n, null])) });
    try {
      await withTimeout(live.sock.resyncAppState(names, false), callTimeout, 'app-state resync');
    } catch (err) {
      emit({ type: 'ENGINE.RESYNC_FAILED', collection, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const after = await auth.state.keys.get('app-state-sync-version', names);
    // rc14's resyncAppState resolves even when decoding failed: success = no new failure signal and no
    // collection that had a version before and has none now.
    const lost = names.filter((n) => before[n] && !after[n]);
    if (appStateSignals === signalsBefore && lost.length === 0) {
      log.info({ collections: names.map((n) => `${n}@${after[n]?.version ?? 0}`) }, 'app-state resync done');
      emit({ type: 'ENGINE.RESYNC_DONE', collection });
    } else {
      emit({ type: 'ENGINE.RESYNC_FAILED', collection, error: lost.length ? `no state for ${lost.join(', ')}` : 'decoding failed again' });
    }
  }

  async function logout(): Promise<void> {
    const live = current;
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
        if (owned && current === owned) await endCurrent('worker stopped');
      },
    };
  };

  function openSocket(): WASocket {
    if (!current?.open) throw new NotConnectedError();
    return current.sock;
  }

  function quoted(id?: string): WAMessage | undefined {
    if (!id) return undefined;
    const raw = opts.store.messages.getRaw(id);
    if (!raw) throw new Error(`quoted message ${id} is not in the store`);
    return proto.WebMessageInfo.decode(raw) as WAMessage;
  }

  async function send(jid: string, content: AnyMessageContent, quotedId?: string): Promise<SentMessage> {
    const sock = openSocket();
    const msg = await withTimeout(sock.sendMessage(jid, content, { quoted: quoted(quotedId) }), callTimeout, 'send');
    if (!msg?.key.id) throw new Error('WhatsApp did not return a message id');
    ingest.messages([msg], 'append');
    const chatId = chatJidOf(msg.key) ?? jidNormalizedUser(jid);
    const ts = Number(msg.messageTimestamp ?? 0);
    return { id: messageId(chatId, msg.key.id), chatId, keyId: msg.key.id, timestamp: ts > 1e12 ? ts : ts * 1000 || Date.now() };
  }

  function mediaContent(m: OutgoingMedia): AnyMessageContent {
    const src = { url: m.path };
    switch (m.kind) {
      case 'image':
        return { image: src, caption: m.caption, mimetype: m.mimetype };
      case 'video':
        return { video: src, caption: m.caption, mimetype: m.mimetype };
      case 'audio':
        return { audio: src, mimetype: m.mimetype, ptt: m.ptt ?? false };
      case 'sticker':
        return { sticker: src, mimetype: m.mimetype };
      default:
        return { document: src, mimetype: m.mimetype, fileName: m.fileName ?? 'file', caption: m.caption };
    }
  }

  const gateway: WhatsAppGateway = {
    isConnected: () => Boolean(current?.open),
    sendText: (jid, text, o) => send(jid, { text }, o?.quotedMessageId),
    sendMedia: (jid, media, o) => send(jid, mediaContent(media), o?.quotedMessageId),
    async downloadMedia(id, destPath) {
      const raw = opts.store.messages.getRaw(id);
      if (!raw) throw new Error(`message ${id} is not in the store`);
      const msg = proto.WebMessageInfo.decode(raw) as WAMessage;
      const live = current?.open ? current.sock : null;
      const stream = await downloadMediaMessage(msg, 'stream', {}, {
        logger: baileysLogger,
        // Expired media URLs are re-requested from the phone; only possible with an open socket.
        reuploadRequest: live ? (m) => live.updateMediaMessage(m) : async (m) => m,
      });
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(stream, counter, createWriteStream(destPath, { mode: 0o600 }));
      const content = msg.message ?? {};
      const mimetype =
        content.imageMessage?.mimetype ?? content.videoMessage?.mimetype ?? content.audioMessage?.mimetype ??
        content.documentMessage?.mimetype ?? content.stickerMessage?.mimetype ?? 'application/octet-stream';
      return { size, mimetype };
    },
    async groupMetadata(jid): Promise<GroupInfo> {
      const meta = await withTimeout(openSocket().groupMetadata(jid), callTimeout, 'group metadata');
      ingest.groups([meta]);
      return {
        id: meta.id,
        subject: meta.subject,
        description: meta.desc,
        owner: meta.ownerPn ?? meta.owner,
        creation: meta.creation ? meta.creation * 1000 : undefined,
        participants: meta.participants.map((p) => ({
          jid: jidNormalizedUser(p.phoneNumber ?? p.id),
          lid: p.lid ?? (p.id.endsWith('@lid') ? p.id : undefined),
          phoneJid: p.phoneNumber ?? (p.id.endsWith('@s.whatsapp.net') ? p.id : undefined),
          admin: p.admin ?? null,
        })),
      };
    },
    async profilePictureUrl(jid) {
      try {
        return (await withTimeout(openSocket().profilePictureUrl(jid, 'image'), callTimeout, 'profile picture')) ?? null;
      } catch (err) {
        if (err instanceof NotConnectedError) throw err;
        // 404/401 from WhatsApp: no picture, or hidden by the contact's privacy settings.
        if ([404, 401, 403].includes(closeCodeOf(err) ?? 0) || /item-not-found|not-authorized/.test(String(err))) return null;
        throw err;
      }
    },
    async onWhatsApp(phones) {
      const res = (await withTimeout(openSocket().onWhatsApp(...phones), callTimeout, 'on-WhatsApp check')) ?? [];
      return phones.map((phone) => {
        const hit = res.find((r) => r.jid.startsWith(`${phone}@`));
        return { phone, exists: Boolean(hit?.exists), jid: hit?.jid };
      });
    },
  };

  return { factory, gateway, shutdown: () => endCurrent('shutdown') };
}
