import { EventEmitter } from 'node:events';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { AppStateServer } from './app-state.js';
import type { ClientConnection } from './connection.js';
import type { FakePhone } from './phone.js';
import type { MediaHost } from './media/host.js';
import type { Outbox } from './outbox.js';
import type { SimulatorGroup } from './groups.js';
import type { SignalParty } from './signal/party.js';
import type { SimulatorState } from './state.js';
import type { HistoryOptions, HistoryStreamOptions, PhoneOptions, SentMessage, SimulatorContact, SimulatorLogger } from './types.js';
import type { SeededRandom } from './util/rng.js';

export interface PhoneInfo extends PhoneOptions {
  /** `<number>@s.whatsapp.net` */
  jid: string;
  /** `<lid>@lid` */
  lidJid: string;
}

/** A Signal peer the server can route to: a seeded contact or the account's own phone. */
export interface Peer {
  kind: 'contact' | 'phone';
  contact?: SimulatorContact;
  party: SignalParty;
}

/**
 * The shared server context every protocol module works against. The `Simulator` class
 * implements it; modules receive it instead of importing each other.
 */
export interface SimulatorCore extends EventEmitter {
  readonly logger: SimulatorLogger;
  readonly rng: SeededRandom;
  readonly phone: PhoneInfo;
  readonly contacts: SimulatorContact[];
  readonly groups: SimulatorGroup[];
  readonly state: SimulatorState;
  readonly fakePhone: FakePhone;
  readonly appState: AppStateServer;
  readonly media: MediaHost;
  readonly history: HistoryOptions | HistoryStreamOptions | false;
  readonly sent: SentMessage[];
  /** Store-and-forward of every stanza to linked devices, with the delivery ledger. */
  readonly outbox: Outbox;
  autoReceipts: boolean;
  /** The device's next sends answered with an error ack and delivered to nobody (463 reachout timelock, 429 rate overlimit). */
  refuseSends: { code: number; remaining: number } | null;
  /** Authenticated connections of linked devices. */
  sessions(): ClientConnection[];
  allConnections(): ClientConnection[];
  peerFor(jid: string): Peer | undefined;
  nextMessageId(): string;
  /** Sends a node on a connection now (iq answers, acks, stream control); not queued, never redelivered. */
  send(conn: ClientConnection, node: BinaryNode): void;
}
