/**
 * Exactly-once inbound: the socket must not acknowledge a message before it is in SQLite.
 *
 * Why this exists. A message leaves the server's offline queue for good when the device sends its
 * `<receipt>`. Baileys rc14 sends that receipt *before* it emits `messages.upsert`
 * (`Socket/messages-recv.js` handleMessage: `await sendReceipt(...)`, then `upsertMessage(...)`), and the
 * upsert then sits in Baileys' event buffer (until the node is processed, or until `<ib><offline>` ends
 * a whole catch-up) before our ingest commits it. A crash anywhere in that window loses an acknowledged
 * message: WhatsApp will not send it again (docs/reliability.md measures it).
 *
 * How, without patching node_modules. `sendReceipt` and `sendNode` are closures inside Baileys (the
 * socket layers destructure them at construction), so wrapping `sock.sendReceipt` changes nothing. What
 * is reachable from outside is:
 *   1. the logger we hand Baileys: `sendReceipt` logs `'sending receipt for messages'` with the ids and
 *      type, then synchronously encodes, encrypts and writes the frame (`sendNode` → `sendRawMessage` →
 *      `WebSocketClient.send` → `this.socket.send`, no await in between);
 *   2. the `ws` WebSocket instance inside `sock.ws` (created synchronously by makeWASocket): its `send`
 *      is the last step of every frame;
 *   3. `sock.ev.emit`, which `upsertMessage` calls (`ev.emit('messages.upsert', …)`) before the event
 *      is buffered.
 * So: (1) arms "the next frame is a receipt for ids X"; (2) holds that frame — and every frame after it,
 * because noise counters fix the order — while telling Baileys it was written, so Baileys goes on to
 * (3), where we commit the message to SQLite synchronously, then release the held frames. The receipt
 * thus leaves only after the commit; a crash before it leaves the message on the server, which
 * redelivers it (`offline`), and the store de-duplicates by (chat, key id). If the commit fails (disk
 * full) or never comes, the held frames are dropped and the socket is ended: the server keeps the
 * message and redelivers it on the next connection.
 *
 * test/whatsapp/durable-receipts.test.ts fails if any of the three hook points disappears in a Baileys
 * upgrade (source contract) or if a receipt ever reaches the simulator before its message is stored
 * (behaviour); at runtime an inbound upsert whose receipt was never held is logged as an error.
 */
import type { BaileysEventMap, WASocket } from '@whiskeysockets/baileys';
import type { Logger } from '../../logger.js';
import type { BaileysLogger } from '../log-signals.js';

/** The log line `sendReceipt` writes right before it sends the receipt (Socket/messages-send.js). */
export const RECEIPT_LOG_LINE = 'sending receipt for messages';
/** Receipt types that acknowledge an inbound message (untyped = delivery). Read/played receipts are not held. */
const ACK_TYPES: ReadonlySet<string | undefined> = new Set([undefined, 'inactive', 'peer_msg', 'sender', 'hist_sync']);
/** Held frames are given up (socket ended, message redelivered) if the commit has not come by then. */
const HOLD_LIMIT_MS = 15_000;
/** Ids recently committed, so a receipt sent after its commit (a future Baileys order) is not held. */
const COMMITTED_MEMORY = 2_000;

type SendCallback = (err?: Error) => void;
interface RawSocket {
  send(data: unknown, options?: unknown, cb?: SendCallback): void;
}

export interface DurableReceiptsStats {
  /** Receipt frames held until their message was committed. */
  held: number;
  /** Inbound upserts whose receipt was never seen by the hook (a Baileys change broke it). */
  unguarded: number;
  /** Sockets ended because a commit failed or never came. */
  failed: number;
}

export interface DurableReceipts {
  /** The logger to hand makeWASocket (hook point 1). */
  logger: BaileysLogger;
  /**
   * Hooks a freshly made socket (before it connects): holds its acknowledging receipts until
   * `commit(upsert)` has returned for their message. `commit` must be synchronous and durable when it
   * returns; a throw means "not stored" and the socket is ended.
   */
  attach(sock: WASocket, commit: (upsert: BaileysEventMap['messages.upsert']) => void): void;
  stats: DurableReceiptsStats;
}

export function durableReceipts(base: BaileysLogger, log: Logger): DurableReceipts {
  const stats: DurableReceiptsStats = { held: 0, unguarded: 0, failed: 0 };
  /** Set by the receipt log line; consumed by the very next frame written (same synchronous run). */
  let armed: string[] | null = null;
  const committed = new Set<string>();
  /** Ids whose receipts the hook saw (bounded), to spot upserts that got past it. */
  const guarded = new Set<string>();

  const remember = (set: Set<string>, id: string): void => {
    set.add(id);
    if (set.size > COMMITTED_MEMORY) set.delete(set.values().next().value as string);
  };

  const watch = (l: BaileysLogger): BaileysLogger => ({
    get level() {
      return l.level;
    },
    set level(v: string) {
      l.level = v;
    },
    child: (obj) => watch(l.child(obj)),
    trace: (obj, msg) => l.trace(obj, msg),
    debug: (obj, msg) => {
      if (msg === RECEIPT_LOG_LINE) {
        const data = obj as { attrs?: { type?: string }; messageIds?: unknown };
        if (Array.isArray(data.messageIds) && ACK_TYPES.has(data.attrs?.type)) {
          armed = data.messageIds.filter((id): id is string => typeof id === 'string');
          // Disarm if no frame follows in this synchronous run (e.g. the socket was already closed).
          queueMicrotask(() => (armed = null));
        }
      }
      l.debug(obj, msg);
    },
    info: (obj, msg) => l.info(obj, msg),
    warn: (obj, msg) => l.warn(obj, msg),
    error: (obj, msg) => l.error(obj, msg),
  });

  function attach(sock: WASocket, commit: (upsert: BaileysEventMap['messages.upsert']) => void): void {
    const raw = (sock.ws as unknown as { socket: RawSocket | null }).socket;
    if (!raw || typeof raw.send !== 'function') {
      // Hook point 2 is gone: say so loudly; messages still flow, with the old loss window.
      log.error('durable receipts: the socket has no raw WebSocket to hook (Baileys changed?); receipts are not held');
      return;
    }
    const write = raw.send.bind(raw);
    /** Ids whose commit the held frames wait for. */
    const waiting = new Set<string>();
    const queue: Array<{ data: unknown; options: unknown }> = [];
    let timer: NodeJS.Timeout | undefined;
    let dead = false;

    const giveUp = (reason: string): void => {
      if (dead) return;
      dead = true;
      stats.failed++;
      clearTimeout(timer);
      queue.length = 0;
      waiting.clear();
      log.error({ reason }, 'durable receipts: inbound message not stored; ending the socket without acknowledging it');
      sock.end(new Error(`inbound message not stored: ${reason}`));
    };

    const flush = (): void => {
      clearTimeout(timer);
      timer = undefined;
      const frames = queue.splice(0);
      // Frames whose callbacks already ran: a write error now means the socket is closing anyway.
      for (const f of frames) write(f.data, f.options, () => undefined);
    };

    raw.send = (data: unknown, options?: unknown, cb?: SendCallback) => {
      const callback = typeof options === 'function' ? (options as SendCallback) : cb;
      const opts = typeof options === 'function' ? undefined : options;
      const receiptFor = armed;
      armed = null;
      if (receiptFor && !dead) {
        for (const id of receiptFor) {
          remember(guarded, id);
          if (!committed.has(id)) waiting.add(id);
        }
        if (waiting.size > 0) stats.held++;
      }
      if (dead) {
        process.nextTick(() => callback?.(new Error('socket given up')));
        return;
      }
      if (waiting.size === 0 && queue.length === 0) {
        write(data, opts, callback);
        return;
      }
      queue.push({ data, options: opts });
      timer ??= setTimeout(() => giveUp('commit did not come in time'), HOLD_LIMIT_MS);
      timer.unref();
      // Baileys awaits the write; tell it the frame is out so it goes on to emit (and we commit).
      process.nextTick(() => callback?.());
    };

    const emit = sock.ev.emit.bind(sock.ev);
    sock.ev.emit = <T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): boolean => {
      if (event === 'messages.upsert') {
        const upsert = arg as BaileysEventMap['messages.upsert'];
        try {
          commit(upsert);
          for (const m of upsert.messages) {
            const id = m.key?.id;
            if (!id) continue;
            remember(committed, id);
            waiting.delete(id);
            // Inbound content always gets a receipt first (failed decryptions and newsletters do not).
            const receipted = !m.key.fromMe && m.message && !m.messageStubType && !m.key.remoteJid?.endsWith('@newsletter');
            if (receipted && !guarded.has(id)) {
              stats.unguarded++;
              if (stats.unguarded === 1) log.error({ id }, 'durable receipts: an inbound message was acknowledged without the hook (Baileys changed?)');
            }
          }
          if (waiting.size === 0 && queue.length > 0) flush();
        } catch (err) {
          log.error({ err }, 'durable receipts: commit failed');
          giveUp(err instanceof Error ? err.message : String(err));
        }
      }
      return emit(event, arg);
    };
  }

  return { logger: watch(base), attach, stats };
}
