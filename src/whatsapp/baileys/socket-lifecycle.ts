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
  getBinaryNodeChild,
  jidNormalizedUser,
  proto,
  type AuthenticationCreds,
  type BinaryNode,
  type GroupMetadata,
  type UserFacingSocketConfig,
  type WABrowserDescription,
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
  /** LINK_METHOD / the live `link_method` setting: how an unpaired socket expects to be linked (default qr). */
  linkMethod?: () => 'qr' | 'code';
}

/**
 * The desktop app's identity: WhatsApp sends a desktop companion the larger history sync, and the phone's
 * "Linked devices" list shows a recognisable name.
 */
export const DESKTOP_BROWSER: WABrowserDescription = Browsers.macOS('Desktop');
/**
 * A browser identity, for linking by code: WhatsApp answers a link-code registration from a desktop-app
 * companion (Baileys sends platform id 7, "Desktop (Mac OS)") with 400 bad-request and accepts
 * "<Browser> (<OS>)" from browser-type companions (docs/wire-notes.md).
 */
export const CODE_BROWSER: WABrowserDescription = Browsers.macOS('Chrome');

/**
 * Which identity a socket announces. An unpaired one follows the link method; a linked device keeps the
 * identity it registered with: Baileys keeps `creds.pairingCode` after a link by code (and the adapter drops
 * it when a code request fails), so it marks the devices that registered as a browser.
 */
export function browserFor(creds: Pick<AuthenticationCreds, 'account' | 'pairingCode'>, linkMethod: 'qr' | 'code'): WABrowserDescription {
  if (creds.account) return creds.pairingCode ? CODE_BROWSER : DESKTOP_BROWSER;
  return linkMethod === 'code' ? CODE_BROWSER : DESKTOP_BROWSER;
}

export interface SocketLifecycle {
  factory: EngineFactory;
  /** End the live socket (if any) and wait for it to close. */
  shutdown(): Promise<void>;
}

export function socketLifecycle(deps: SocketLifecycleDeps): SocketLifecycle {
  const { slot, auth, ingest, logger: log } = deps;
  const receipts = durableReceipts(deps.baileysLogger, log);
  /** The identity each socket announced (a refused link code says why when it was the desktop one). */
  const socketBrowser = new WeakMap<LiveSocket, WABrowserDescription>();

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
    const browser = browserFor(auth.state.creds, deps.linkMethod?.() ?? 'qr');
    const sock = makeWASocket({
      auth: auth.state,
      // Watches for the receipt log line that durable-receipts.ts hooks on (see there).
      logger: receipts.logger,
      // The desktop identity (larger history sync) unless linking by code needs a browser one.
      browser,
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
    socketBrowser.set(live, browser);
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

  /**
   * Link by phone number (issue #14) on the live, unpaired socket. Baileys' `requestPairingCode` writes the
   * `companion_hello` iq and returns its locally made code without reading WhatsApp's answer, so a refusal
   * (400 for a platform name WhatsApp does not accept, an unknown number) would leave a dead code on screen.
   * The answer is read here from the socket instead: a result carrying `link_code_companion_reg` (the
   * pairing ref) confirms the code, an error iq refuses it. Nothing else is asked of WhatsApp while a socket
   * waits to be linked, so the first error iq in that window is taken as this request's answer.
   * Never throws: every failure is reported as ENGINE.PAIRING_CODE_FAILED (the machine stays unpaired).
   */
  async function pairingCode(phone: string, emit: (e: EngineEvent) => void): Promise<void> {
    const fail = (error: string, code?: number) => emit({ type: 'ENGINE.PAIRING_CODE_FAILED', phone, error, ...(code === undefined ? {} : { code }) });
    const live = slot.current;
    if (!live || live.open || auth.state.creds.account) {
      fail('there is no unpaired connection to link');
      return;
    }
    const ws = live.sock.ws;
    type Answer = { ok: true } | { ok: false; error: string; code?: number };
    let cleanup = () => {};
    const answer = new Promise<Answer>((resolve) => {
      const onResult = () => resolve({ ok: true });
      const onError = (node: BinaryNode) => {
        const e = getBinaryNodeChild(node, 'error');
        const code = Number(e?.attrs.code);
        resolve({ ok: false, error: `WhatsApp refused the pairing code request (${e?.attrs.code ?? '?'} ${e?.attrs.text ?? 'error'})`, ...(Number.isFinite(code) ? { code } : {}) });
      };
      const timer = setTimeout(() => resolve({ ok: false, error: 'WhatsApp did not answer the pairing code request in time' }), deps.callTimeoutMs);
      void live.closed.then(() => resolve({ ok: false, error: 'the connection closed before WhatsApp answered the pairing code request' }));
      ws.on('CB:iq,type:result,link_code_companion_reg', onResult);
      ws.on('CB:iq,type:error', onError);
      cleanup = () => {
        clearTimeout(timer);
        ws.off('CB:iq,type:result,link_code_companion_reg', onResult);
        ws.off('CB:iq,type:error', onError);
      };
    });
    let code: string;
    try {
      code = await live.sock.requestPairingCode(phone);
    } catch (err) {
      cleanup();
      fail(`could not send the pairing code request: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const outcome = await answer;
    cleanup();
    if (!outcome.ok) {
      log.warn({ error: outcome.error, code: outcome.code }, 'pairing code request failed');
      // The code is dead: forget it, so `creds.pairingCode` keeps meaning "linked by code" (browserFor).
      if (!auth.state.creds.account) {
        auth.state.creds.pairingCode = undefined;
        auth.state.creds.me = undefined;
        await auth.saveCreds();
      }
      const desktop = outcome.code === 400 && socketBrowser.get(live) === DESKTOP_BROWSER;
      fail(desktop ? `${outcome.error}: this connection announces the desktop app, which WhatsApp does not link by code; set link_method to code (settings) and restart the connection` : outcome.error, outcome.code);
      return;
    }
    // The code itself is a credential for this link: never logged.
    log.info('pairing code issued; waiting for it to be entered on the phone');
    emit({ type: 'ENGINE.PAIRING_CODE', phone, code });
  }

  /**
   * `requestPairingCode` stores `creds.me` (the phone's number) before any link exists, and with `me` set
   * the next socket logs in instead of registering: WhatsApp answers 401 and the auth state is wiped. A link
   * that never completed has no `account` (the signed identity pair-success brings), so such creds go back
   * to unregistered before the next attempt, and the new socket simply offers a QR again.
   */
  async function forgetUnfinishedCodeLink(): Promise<void> {
    const creds = auth.state.creds;
    if (!creds.me || creds.account) return;
    creds.me = undefined;
    creds.pairingCode = undefined;
    await auth.saveCreds();
    log.info('an unfinished phone-number link was dropped; the next connection registers afresh');
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
            await forgetUnfinishedCodeLink();
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
          case 'PAIRING_CODE':
            await pairingCode(cmd.phone, emit);
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
