import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { renderStanza, type Rendered } from './deliver.js';
import type { DeviceRecord } from './state.js';
import { children, child } from './util/nodes.js';

/** What a queued stanza is made of; contact/group/phone messages are encrypted at each transmission. */
export type OutboxPayload =
  /** A contact's 1:1 message: Signal-encrypted for the device when it is (re)sent. */
  | { kind: 'contact'; from: string; message: Buffer; plaintext: boolean }
  /** A contact's group message: sender-key encrypted when it is (re)sent. */
  | { kind: 'group'; group: string; from: string; message: Buffer }
  /** The account's own phone → companion (`<plaintext>`, category peer): key shares, history syncs. */
  | { kind: 'phone'; message: Buffer }
  /** A ready stanza: receipts, notifications, copies relayed from another companion. */
  | { kind: 'node'; node: BinaryNode };

export type StanzaTag = 'message' | 'receipt' | 'notification';

/** A stanza the server holds for one device until the device acknowledges it. */
export interface OutboxEntry {
  /** Matches the device's acknowledgement: `message|id`, `notification|id`, `receipt|id|type|participant`. */
  key: string;
  id: string;
  stanza: StanzaTag;
  /** Server timestamp (unix seconds, as on the wire). */
  t: string;
  queuedAt: number;
  payload: OutboxPayload;
}

/** The delivery history of one stanza to one device: what `Simulator.deliveryOf` answers. */
export interface Delivery {
  /** Stanza id: the message key id for messages. */
  id: string;
  /** Companion device number it was addressed to. */
  device: number;
  stanza: StanzaTag;
  /** When the server accepted it (ms epoch). */
  queuedAt: number;
  /** Every transmission (ms epoch); more than one means it was redelivered. */
  sentAt: number[];
  /** For each transmission: did it go out as an `offline` stanza (redelivery after a reconnect)? */
  offline: boolean[];
  /** When the device first acknowledged it (a receipt or an ack); undefined while still queued. */
  ackedAt: number | undefined;
  /** Error code when the device's acknowledgement was a negative ack (`<ack error=…>`). */
  nack?: string;
  /** Every receipt the device sent for it: `delivery` (untyped), `read`, `peer_msg`, `hist_sync`, `inactive`, `retry` … */
  receipts: { type: string; at: number }[];
  /** Every `<ack>` the device sent for it. */
  acks: { class: string; error?: string; at: number }[];
}

export type DeliveryChange = 'queued' | 'sent' | 'acked' | 'receipt' | 'ack';

/** Payload of the simulator's `delivery` event. */
export interface DeliveryEvent {
  change: DeliveryChange;
  delivery: Delivery;
}

/** How a post left the server: the wire form, or `queued` while the device is offline (or still catching up). */
export type PostResult = Rendered['wire'] | 'queued';

/** Offline stanzas the server sends per `offline_batch` when the client names no count. */
const DEFAULT_BATCH = 100;
/** How long the server waits for the client's `<offline_batch>` after `<offline_preview>`. */
const BATCH_REQUEST_WAIT_MS = 10_000;
/** Settled deliveries kept for queries; the oldest settled ones are forgotten beyond this. */
const LEDGER_LIMIT = 200_000;

/** Per connected device: which connection carries its stanzas and where its catch-up stands. */
interface Link {
  conn: ClientConnection;
  /** draining: redelivering the offline backlog; live: new stanzas go out at once. */
  phase: 'draining' | 'live';
  /** Serialises transmissions: Signal encryption order must equal wire order. */
  chain: Promise<unknown>;
  /** Offline stanzas sent in this drain and not yet acknowledged (the batch window). */
  unacked: Set<string>;
  wake: (() => void) | undefined;
  batchRequest: ((count: number) => void) | undefined;
}

const snapshot = (d: Delivery): Delivery => ({
  ...d,
  sentAt: [...d.sentAt],
  offline: [...d.offline],
  receipts: d.receipts.map(r => ({ ...r })),
  acks: d.acks.map(a => ({ ...a })),
});

/**
 * Store-and-forward for everything the server sends a linked device (messages, receipts,
 * notifications), as WhatsApp does: a stanza stays queued until the device acknowledges it — a
 * `<receipt>` for a message, an `<ack>` for a receipt or notification — and whatever is still
 * queued when a device (re)connects is redelivered as `offline` stanzas between
 * `<ib><offline_preview>` and `<ib><offline count>`, at most one client-requested batch
 * (`<offline_batch count>`) unacknowledged at a time. Every transmission, receipt and ack is
 * recorded per stanza id (the ledger) so tests can tell what the device acknowledged and when.
 */
export class Outbox {
  private readonly links = new Map<number, Link>();
  private readonly ledger = new Map<string, Delivery>();
  private readonly byId = new Map<string, Delivery[]>();
  /** Callbacks for the stanza last rendered under a key (e.g. "the device now has this sender key"). */
  private readonly onAcked = new Map<string, () => void>();
  /** Waiters from `acked()`, by ledger key. */
  private readonly waiters = new Map<string, { resolve: () => void; reject: (err: Error) => void }[]>();

  constructor(private readonly sim: SimulatorCore) {}

  /** Queues a stanza for `device`, sending it at once when the device is online and caught up. */
  post(device: DeviceRecord, entry: Omit<OutboxEntry, 'queuedAt'>): Promise<PostResult> {
    const full: OutboxEntry = { ...entry, queuedAt: Date.now() };
    device.outbox.set(full.key, full);
    this.touch(device.device, full, 'queued');
    const link = this.links.get(device.device);
    if (!link || link.phase !== 'live' || !link.conn.isOpen) return Promise.resolve('queued');
    return this.transmitInOrder(link, device, full, false);
  }

  /**
   * Resolves when `device` has acknowledged the stanza queued under `key` (at once when nothing is
   * queued under it); rejects when the simulator stops first.
   */
  acked(device: DeviceRecord, key: string): Promise<void> {
    if (!device.outbox.has(key)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const ledgerKey = `${device.device}|${key}`;
      const list = this.waiters.get(ledgerKey) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(ledgerKey, list);
    });
  }

  /** The simulator stops: nobody will acknowledge anything any more. */
  close(): void {
    const stopped = new Error('simulator stopped');
    for (const list of this.waiters.values()) for (const w of list) w.reject(stopped);
    this.waiters.clear();
  }

  /** Devices with an open, logged-in connection. */
  isOnline(device: number): boolean {
    return this.links.get(device)?.conn.isOpen === true;
  }

  /**
   * A device logged in on `conn`: redeliver its backlog as offline stanzas, announce the end with
   * `<ib><offline count>`, then go live. Resolves with the number of offline stanzas sent.
   */
  async attach(conn: ClientConnection): Promise<number> {
    const device = conn.device;
    if (!device) return 0;
    const link: Link = { conn, phase: 'draining', chain: Promise.resolve(), unacked: new Set(), wake: undefined, batchRequest: undefined };
    this.links.set(device.device, link);
    const backlog = [...device.outbox.values()];
    let sent = 0;
    if (backlog.length > 0) {
      const count = (stanza: StanzaTag): string => String(backlog.filter(e => e.stanza === stanza).length);
      const batch = new Promise<number>(resolve => {
        link.batchRequest = resolve;
        setTimeout(() => resolve(DEFAULT_BATCH), BATCH_REQUEST_WAIT_MS).unref();
      });
      this.sim.send(conn, {
        tag: 'ib',
        attrs: { from: 's.whatsapp.net' },
        content: [
          {
            tag: 'offline_preview',
            attrs: { count: String(backlog.length), message: count('message'), notification: count('notification'), receipt: count('receipt'), call: '0', appdata: '0' },
          },
        ],
      });
      const window = await batch;
      link.batchRequest = undefined;
      for (const entry of backlog) {
        while (link.unacked.size >= window && this.current(link, device)) {
          await new Promise<void>(resolve => (link.wake = resolve));
        }
        if (!this.current(link, device)) return sent;
        if (device.outbox.get(entry.key) !== entry) continue; // acknowledged meanwhile (a late receipt from the old connection)
        link.unacked.add(entry.key);
        const result = await this.transmitInOrder(link, device, entry, true);
        if (result === 'queued') link.unacked.delete(entry.key);
        else sent++;
      }
    }
    if (!this.current(link, device)) return sent;
    this.sim.send(conn, { tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(sent) } }] });
    link.phase = 'live';
    // What was posted while the backlog drained goes out live, in order.
    const drained = new Set(backlog);
    for (const entry of device.outbox.values()) {
      if (!drained.has(entry)) void this.transmitInOrder(link, device, entry, false);
    }
    return sent;
  }

  /** The connection closed: its device's queue stays as it is until the next login. */
  detach(conn: ClientConnection): void {
    const device = conn.device;
    if (!device) return;
    const link = this.links.get(device.device);
    if (link?.conn !== conn) return;
    this.links.delete(device.device);
    link.wake?.();
    link.batchRequest?.(0);
  }

  /** `<ib><offline_batch count>`: the client is ready for that many offline stanzas. */
  onIb(conn: ClientConnection, node: BinaryNode): void {
    const batch = child(node, 'offline_batch');
    const link = conn.device ? this.links.get(conn.device.device) : undefined;
    if (!batch || link?.conn !== conn) return;
    const count = Number(batch.attrs.count ?? DEFAULT_BATCH);
    link.batchRequest?.(Number.isFinite(count) && count > 0 ? count : DEFAULT_BATCH);
  }

  /** A `<receipt>` from the device acknowledges the messages it names (`id` plus `<list><item id>`). */
  onReceipt(conn: ClientConnection, node: BinaryNode): void {
    const device = conn.device;
    if (!device) return;
    const type = node.attrs.type ?? 'delivery';
    const ids = [node.attrs.id ?? '', ...children(child(node, 'list'), 'item').map(i => i.attrs.id ?? '')].filter(Boolean);
    const at = Date.now();
    for (const id of ids) {
      const key = `message|${id}`;
      const delivery = this.ledger.get(`${device.device}|${key}`);
      if (delivery) {
        delivery.receipts.push({ type, at });
        this.emitChange('receipt', delivery);
      }
      this.settle(device, key, at);
    }
  }

  /** An `<ack>` from the device: for receipts and notifications, and a message's negative ack. */
  onAck(conn: ClientConnection, node: BinaryNode): void {
    const device = conn.device;
    if (!device) return;
    const { id = '', class: cls = '', error } = node.attrs;
    const key =
      cls === 'receipt' ? `receipt|${id}|${node.attrs.type ?? ''}|${node.attrs.participant ?? ''}` : `${cls}|${id}`;
    const delivery = this.ledger.get(`${device.device}|${key}`);
    const at = Date.now();
    if (delivery) {
      delivery.acks.push({ class: cls, ...(error ? { error } : {}), at });
      if (error && delivery.ackedAt === undefined) delivery.nack = error;
      this.emitChange('ack', delivery);
    }
    this.settle(device, key, at);
  }

  /** The delivery of stanza `id` to `device` (default: the lowest-numbered device that has one). */
  deliveryOf(id: string, device?: number): Delivery | undefined {
    const found = (this.byId.get(id) ?? [])
      .filter(d => device === undefined || d.device === device)
      // A message before the receipts that share its id (receipts for our own sends carry their id).
      .sort((a, b) => Number(a.stanza !== 'message') - Number(b.stanza !== 'message') || a.device - b.device);
    return found[0] ? snapshot(found[0]) : undefined;
  }

  /** What the devices' queues hold right now (sent or not), as deliveries, in queue order. */
  pending(devices: Iterable<DeviceRecord>): Delivery[] {
    const out: Delivery[] = [];
    for (const device of devices) {
      for (const entry of device.outbox.values()) {
        const delivery = this.ledger.get(`${device.device}|${entry.key}`);
        if (delivery) out.push(snapshot(delivery));
      }
    }
    return out;
  }

  /** Every delivery still in the ledger, oldest first. */
  deliveries(): Delivery[] {
    return [...this.ledger.values()].map(snapshot);
  }

  private current(link: Link, device: DeviceRecord): boolean {
    return link.conn.isOpen && this.links.get(device.device) === link;
  }

  private transmitInOrder(link: Link, device: DeviceRecord, entry: OutboxEntry, offline: boolean): Promise<PostResult> {
    const run = link.chain.then(() => this.transmit(link, device, entry, offline));
    link.chain = run.catch(() => undefined);
    return run;
  }

  private async transmit(link: Link, device: DeviceRecord, entry: OutboxEntry, offline: boolean): Promise<PostResult> {
    if (!this.current(link, device) || device.outbox.get(entry.key) !== entry) return 'queued';
    let rendered: Rendered;
    try {
      rendered = await renderStanza(this.sim, link.conn, entry, offline);
    } catch (err) {
      // Stays queued: the next login redelivers it.
      this.sim.logger.warn({ err, id: entry.id, device: device.device }, 'simulator: could not render a queued stanza');
      return 'queued';
    }
    if (!this.current(link, device)) return 'queued';
    this.sim.send(link.conn, rendered.node);
    if (rendered.onAcked) this.onAcked.set(`${device.device}|${entry.key}`, rendered.onAcked);
    const delivery = this.ledger.get(`${device.device}|${entry.key}`);
    if (delivery) {
      delivery.sentAt.push(Date.now());
      delivery.offline.push(offline);
      this.emitChange('sent', delivery);
    }
    return rendered.wire;
  }

  private settle(device: DeviceRecord, key: string, at: number): void {
    const entry = device.outbox.get(key);
    if (!entry) return;
    device.outbox.delete(key);
    const ledgerKey = `${device.device}|${key}`;
    this.onAcked.get(ledgerKey)?.();
    this.onAcked.delete(ledgerKey);
    for (const w of this.waiters.get(ledgerKey) ?? []) w.resolve();
    this.waiters.delete(ledgerKey);
    const delivery = this.ledger.get(ledgerKey);
    if (delivery && delivery.ackedAt === undefined) {
      delivery.ackedAt = at;
      this.emitChange('acked', delivery);
    }
    const link = this.links.get(device.device);
    if (link?.unacked.delete(key)) {
      const wake = link.wake;
      link.wake = undefined;
      wake?.();
    }
  }

  /** Opens (or, for an entry restored from exported state, reopens) the ledger record of an entry. */
  private touch(device: number, entry: OutboxEntry, change: DeliveryChange): void {
    const ledgerKey = `${device}|${entry.key}`;
    let delivery = this.ledger.get(ledgerKey);
    if (!delivery) {
      delivery = { id: entry.id, device, stanza: entry.stanza, queuedAt: entry.queuedAt, sentAt: [], offline: [], ackedAt: undefined, receipts: [], acks: [] };
      this.ledger.set(ledgerKey, delivery);
      const list = this.byId.get(entry.id) ?? [];
      list.push(delivery);
      this.byId.set(entry.id, list);
      this.trim();
    } else if (delivery.ackedAt !== undefined) {
      // Re-posted under the same key (a resend): a new delivery of the same stanza.
      delivery.ackedAt = undefined;
      delivery.nack = undefined;
    }
    this.emitChange(change, delivery);
  }

  /** Forgets the oldest settled deliveries beyond the limit, so a long soak does not grow without bound. */
  private trim(): void {
    if (this.ledger.size <= LEDGER_LIMIT) return;
    for (const [key, delivery] of this.ledger) {
      if (this.ledger.size <= LEDGER_LIMIT * 0.9) break;
      if (delivery.ackedAt === undefined) continue;
      this.ledger.delete(key);
      const list = this.byId.get(delivery.id)?.filter(d => d !== delivery) ?? [];
      if (list.length) this.byId.set(delivery.id, list);
      else this.byId.delete(delivery.id);
    }
  }

  /** Ledger records for entries restored from an exported state (queued before the restart). */
  restore(device: DeviceRecord): void {
    for (const entry of device.outbox.values()) this.touch(device.device, entry, 'queued');
  }

  private emitChange(change: DeliveryChange, delivery: Delivery): void {
    if (this.sim.listenerCount('delivery') === 0) return;
    const event: DeliveryEvent = { change, delivery: snapshot(delivery) };
    this.sim.emit('delivery', event);
  }
}
