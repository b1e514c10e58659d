import type { WAPatchName } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { HistoryStream } from './history-stream.js';

export type SimulatorLogger = ILogger;

export interface PhoneOptions {
  /** Account phone number, digits only (no +). */
  number: string;
  pushName: string;
  /** Account LID user part (digits), without '@lid'. */
  lid: string;
}

export interface ContactSeed {
  /** Phone number, digits only. */
  number: string;
  /** LID user part, digits only. */
  lid: string;
  name: string;
}

export interface SimulatorContact extends ContactSeed {
  /** `<number>@s.whatsapp.net` */
  jid: string;
  /** `<lid>@lid` */
  lidJid: string;
}

/** The small seeded history, sent inline in the notification (no media host). */
export interface HistoryOptions {
  chats: number;
  messagesPerChat: number;
}

/**
 * A history of any size streamed as WhatsApp does for a fresh link: zlib-compressed HistorySync
 * chunks (INITIAL_BOOTSTRAP, RECENT, FULL, PUSH_NAME) on the media host, each announced by a
 * HISTORY_SYNC_NOTIFICATION. See history-stream.ts for the item types.
 */
export interface HistoryStreamOptions {
  /** Called once per newly linked device; must return a fresh stream (a generator function fits). */
  source: () => HistoryStream;
  /** Messages per chunk (default 2,000). */
  messagesPerChunk?: number;
  /** Push names per PUSH_NAME chunk (default 5,000). */
  pushNamesPerChunk?: number;
  /** Message chunks after the bootstrap chunk typed RECENT (default 1); later ones are FULL. */
  recentChunks?: number;
  /** Total messages, when known: each chunk then carries a progress percentage. */
  totalMessages?: number;
  /** Chunk notifications the phone leaves unacknowledged at once (default 2). */
  window?: number;
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only loopback is allowed: the simulator must never listen on a reachable interface. */
  host?: '127.0.0.1';
  seed?: number;
  phone?: Partial<PhoneOptions>;
  /** Number of generated contacts (default 3) or explicit seeds. */
  contacts?: number | ContactSeed[];
  /**
   * History sent on a device's first login: the seeded inline one (default `{ chats: 3,
   * messagesPerChat: 5 }`), a streamed one (`{ source }`), or `false` for none (Baileys then waits 20 s).
   */
  history?: HistoryOptions | HistoryStreamOptions | false;
  /** Fake phone scans each new QR automatically. */
  autoPair?: boolean | { delayMs: number };
  logger?: SimulatorLogger;
  /** Restores devices, prekeys and contact Signal sessions from `Simulator.exportState()`. */
  state?: SimulatorStateSnapshot;
  /** Number of seeded groups (default 1): the phone is superadmin, all seeded contacts are members. */
  groups?: number;
}

export type FaultKind =
  | 'close'
  | 'xmlstreamend'
  | 'stream-error'
  | 'conflict'
  | 'logout'
  | 'failure'
  | 'silence'
  | 'corrupt-app-state'
  | 'refuse'
  | 'slow'
  | 'refuse-sends';

export interface Fault {
  kind: FaultKind;
  /** stream-error: code (default 515); failure: reason (default 401); refuse-sends: the ack error (default 463). */
  code?: number;
  /** refuse-sends: how many of the device's next sends are refused (default 1). */
  count?: number;
  /** slow: delay every answer by this many ms. */
  delayMs?: number;
  /** refuse/silence/slow: `false` lifts the fault. Default true. */
  enabled?: boolean;
  /** corrupt-app-state: the collection to poison (default 'regular'). */
  collection?: WAPatchName;
  /**
   * corrupt-app-state: the phone repairs the collection after the client's two failed fetches (it
   * parks it); from then on a fetch asking for a snapshot gets a valid one, so a soft resync (from
   * version 0) succeeds. Default false: the corruption stays and every resync fails.
   */
  repairable?: boolean;
}

export interface SentMessage {
  /** Contact (or group) the message was addressed to, as the client wrote it. */
  to: string;
  /** Device jid that actually received this copy. */
  recipient: string;
  id: string;
  text: string | undefined;
  /** Decoded proto.Message as JSON-ish object. */
  message: unknown;
  type: 'pkmsg' | 'msg' | 'skmsg' | 'plaintext';
  at: number;
  /** Media attachment, downloaded from the simulator's media host and decrypted (MAC verified). */
  media?: { kind: MediaKind; mimetype: string | undefined; data: Buffer; caption: string | undefined };
}

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

export interface SimulatorStateSnapshot {
  version: 1;
  /** Opaque JSON (Buffers encoded with Baileys' BufferJSON). */
  data: string;
}
