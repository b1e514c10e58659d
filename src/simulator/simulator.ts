import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BinaryNode, ChatModification, WAPatchName } from '@whiskeysockets/baileys';
import { WebSocketServer, type WebSocket } from 'ws';
import { presenceOf } from './actions.js';
import { deliverPollVote, type DeliverPollVoteInput } from './poll-votes.js';
import { contactChatState, contactPresence, onPresenceSubscribe, type ContactChatState, type ContactPresenceState } from './presence.js';
import {
  deliverContactCard,
  deliverEdit,
  deliverLocation,
  deliverPoll,
  deliverReaction,
  deliverRevoke,
  type ContactCardInput,
  type ContactEditInput,
  type ContactLocationInput,
  type ContactPollInput,
  type ContactReactionInput,
  type ContactScope,
} from './contact-actions.js';
import { AppStateServer } from './app-state.js';
import { ClientConnection } from './connection.js';
import { defaultPhone, seedContacts } from './contacts.js';
import type { Peer, PhoneInfo, SimulatorCore } from './core.js';
import { applyFault, notifyServerSync, type FaultSwitches } from './faults.js';
import { changeParticipants, changeSubject, seedGroups, type GroupAction, type SimulatorGroup } from './groups.js';
import { answerIq } from './iq-handlers.js';
import { onAuthenticated } from './login.js';
import { deliverGroupText, deliverMedia, deliverText, type DeliverMediaInput, type DeliverTextInput } from './deliver.js';
import { receiveClientMessage, sendReadSelf, sendReceipt } from './receive.js';
import { completePairing, enterPairingCode, type PairResult } from './pairing.js';
import { MediaHost } from './media/host.js';
import { Outbox, type Delivery } from './outbox.js';
import { FakePhone } from './phone.js';
import { makeTestPki, type TestPki } from './pki.js';
import { SignalParty } from './signal/party.js';
import { SimulatorState } from './state.js';
import type {
  Fault,
  HistoryOptions,
  HistoryStreamOptions,
  SentMessage,
  SimulatorContact,
  SimulatorLogger,
  SimulatorOptions,
  SimulatorStateSnapshot,
} from './types.js';
import { splitJid } from './util/jid.js';
import { seededKeyPair } from './util/keys.js';
import { SeededRandom } from './util/rng.js';

const silentLogger: SimulatorLogger = {
  level: 'silent',
  child: () => silentLogger,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The running simulator: a WebSocket server plus the fake phone and contacts behind it. */
export class Simulator extends EventEmitter implements SimulatorCore {
  readonly logger: SimulatorLogger;
  readonly rng: SeededRandom;
  readonly phone: PhoneInfo;
  readonly contacts: SimulatorContact[];
  readonly groups: SimulatorGroup[];
  readonly state: SimulatorState;
  readonly fakePhone: FakePhone;
  readonly appState: AppStateServer;
  readonly media = new MediaHost();
  readonly history: HistoryOptions | HistoryStreamOptions | false;
  readonly sent: SentMessage[] = [];
  readonly outbox: Outbox;
  autoReceipts = true;
  refuseSends: { code: number; remaining: number } | null = null;
  /** The last QR the phone "saw" (see `seeQr`). */
  latestQr: string | undefined;
  /** The last pairing code the app showed (see `watch`), for `enterPairingCode()` without an argument. */
  latestPairingCode: string | undefined;
  url = '';
  port = 0;

  private readonly pki: TestPki;
  private readonly conns = new Set<ClientConnection>();
  private readonly parties = new Map<string, SignalParty>();
  private readonly switches: FaultSwitches = { refuse: false, delayMs: 0 };
  private readonly autoPair: { delayMs: number } | undefined;
  private readonly nodeQueues = new WeakMap<ClientConnection, Promise<void>>();
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  private autoPairTimer: NodeJS.Timeout | undefined;

  constructor(options: SimulatorOptions = {}) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.rng = new SeededRandom(options.seed ?? 1);
    const phone = defaultPhone(this.rng, options.phone);
    this.phone = { ...phone, jid: `${phone.number}@s.whatsapp.net`, lidJid: `${phone.lid}@lid` };
    this.contacts = seedContacts(this.rng, options.contacts);
    this.state = options.state ? SimulatorState.import(options.state) : new SimulatorState();
    // Persisted groups win over the seed (the same array, so protocol changes are exported too).
    this.groups = this.state.groups ??= seedGroups(this.rng, options.groups ?? 1, this.phone.jid, this.contacts);
    this.outbox = new Outbox(this);
    for (const device of this.state.devices.values()) this.outbox.restore(device);
    this.fakePhone = new FakePhone(seededKeyPair(this.rng.fork('phone-identity')));
    this.appState = new AppStateServer(this.rng, this.state.appState);
    this.history = options.history === undefined ? { chats: 3, messagesPerChat: 5 } : options.history;
    this.pki = makeTestPki(this.rng);
    const auto = options.autoPair;
    this.autoPair = auto === true ? { delayMs: 500 } : auto ? auto : undefined;
  }

  /** Live WebSocket connections (any phase). The adapter must never hold two at once. */
  get connections(): number {
    return [...this.conns].filter(c => c.isOpen).length;
  }

  async listen(port = 0, host: '127.0.0.1' = '127.0.0.1'): Promise<void> {
    if (host !== '127.0.0.1') throw new Error('the simulator only listens on 127.0.0.1');
    const http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WhatsApp simulator: WebSocket only\n');
    });
    const wss = new WebSocketServer({ noServer: true });
    http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (this.switches.refuse) {
        // Reset the TCP connection: Baileys sees ECONNRESET → 408. (An HTTP 503 answer is not
        // enough: Baileys listens for 'unexpected-response', so ws never errors and it hangs.)
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, ws => this.accept(ws));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => resolve());
    });
    await this.media.start();
    // The account's push name lives in app state (critical_block) like on a real phone; Baileys
    // learns it on the first full sync and needs it to announce presence.
    if (this.appState.latestVersion('critical_block') === 0) {
      await this.appState.push({ pushNameSetting: this.phone.pushName }, '');
    }
    this.http = http;
    this.wss = wss;
    this.port = (http.address() as AddressInfo).port;
    this.url = `ws://${host}:${this.port}/ws/chat`;
  }

  private accept(ws: WebSocket): void {
    const conn = new ClientConnection(
      ws,
      this.pki,
      {
        onAuthenticated: (c, payload) => onAuthenticated(this, c, payload),
        onNode: (c, node) => this.enqueueNode(c, node),
        onClosed: c => {
          this.outbox.detach(c);
          this.emit('close', { connection: c.id, device: c.device?.device });
        },
      },
      this.logger,
    );
    conn.delayMs = this.switches.delayMs;
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    this.emit('connection', { connection: conn.id });
  }

  /** Nodes from one connection are handled in order (Signal decryption depends on it). */
  private enqueueNode(conn: ClientConnection, node: BinaryNode): void {
    const previous = this.nodeQueues.get(conn) ?? Promise.resolve();
    const next = previous
      .then(() => this.handleNode(conn, node))
      .catch(err => this.logger.warn({ err, tag: node.tag }, 'simulator: error handling client node'));
    this.nodeQueues.set(conn, next);
  }

  private async handleNode(conn: ClientConnection, node: BinaryNode): Promise<void> {
    switch (node.tag) {
      case 'iq':
        if (node.attrs.type === 'get' || node.attrs.type === 'set') this.send(conn, await answerIq(this, conn, node));
        return;
      case 'message':
        await receiveClientMessage(this, conn, node);
        return;
      case 'receipt':
        this.outbox.onReceipt(conn, node);
        this.emit('client-receipt', { ...node.attrs });
        this.send(conn, { tag: 'ack', attrs: { class: 'receipt', id: node.attrs.id ?? '', from: node.attrs.to ?? '' } });
        return;
      case 'ack':
        this.outbox.onAck(conn, node);
        this.emit('client-ack', { ...node.attrs });
        return;
      case 'ib':
        this.outbox.onIb(conn, node);
        return;
      case 'presence':
      case 'chatstate': {
        if (node.tag === 'presence' && node.attrs.type === 'subscribe') onPresenceSubscribe(this, conn, node);
        // Nothing to answer; contacts observe it.
        const presence = presenceOf(node);
        if (presence) this.emit('client-presence', presence);
        return;
      }
      default:
        return;
    }
  }

  send(conn: ClientConnection, node: BinaryNode): void {
    conn.send(node);
  }

  sessions(): ClientConnection[] {
    return [...this.conns].filter(c => c.isOpen && c.device !== undefined);
  }

  allConnections(): ClientConnection[] {
    return [...this.conns];
  }

  /**
   * Stanza and message ids are random, not seeded: a restarted simulator (from an exported state
   * or not) must never reuse an id a client already stored, or a new message would collide with an
   * old one on (chat, key id).
   */
  nextMessageId(): string {
    return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
  }

  /** Routes a jid to the Signal party behind it (device 0 only: contacts have one phone each). */
  peerFor(jid: string): Peer | undefined {
    const who = splitJid(jid);
    if (!who || who.device !== 0) return undefined;
    if (who.user === this.phone.number || who.user === this.phone.lid) {
      return { kind: 'phone', party: this.party('phone') };
    }
    const contact = this.contacts.find(c => c.number === who.user || c.lid === who.user);
    return contact ? { kind: 'contact', contact, party: this.party(contact.number) } : undefined;
  }

  private party(key: string): SignalParty {
    let party = this.parties.get(key);
    if (!party) {
      let record = this.state.contactStores.get(key);
      if (!record) {
        record = {};
        this.state.contactStores.set(key, record);
      }
      // The parties' repositories log lookups that never apply to them (no usync behind a fake peer).
      party = new SignalParty(record, silentLogger, key === 'phone' ? this.fakePhone.identity : undefined);
      this.parties.set(key, party);
    }
    return party;
  }

  // ---- public control API -------------------------------------------------------------

  /** Tell the phone which QR the app is showing (call from `connection.update`). */
  seeQr(qr: string): void {
    this.latestQr = qr;
    this.emit('qr', qr);
    if (this.autoPair) {
      clearTimeout(this.autoPairTimer);
      this.autoPairTimer = setTimeout(() => {
        this.scanQr(qr).catch(err => this.logger.warn({ err }, 'simulator: auto-pair failed'));
      }, this.autoPair.delayMs);
      this.autoPairTimer.unref();
    }
  }

  /** Forward a Baileys socket's QR codes (and pairing codes, #14) to the phone (what a user's eyes would do). */
  watch(sock: {
    ev: {
      on(event: 'connection.update', listener: (update: { qr?: string }) => void): void;
      on(event: 'creds.update', listener: (creds: { pairingCode?: string }) => void): void;
    };
  }): void {
    sock.ev.on('connection.update', update => {
      if (update.qr) this.seeQr(update.qr);
    });
    sock.ev.on('creds.update', creds => {
      if (creds.pairingCode) this.latestPairingCode = creds.pairingCode;
    });
  }

  /**
   * The phone's user types a pairing code under "Link with phone number" (default: the last one the app
   * showed) and the waiting companion is linked; rejects on a wrong code (nothing is linked).
   */
  enterPairingCode(code?: string): Promise<PairResult> {
    const typed = code ?? this.latestPairingCode;
    if (!typed) return Promise.reject(new Error('the phone has not seen a pairing code yet'));
    return enterPairingCode(this, typed);
  }

  /** The fake phone scans `qr` (default: the latest one it saw) and links the companion. */
  scanQr(qr?: string): Promise<PairResult> {
    const code = qr ?? this.latestQr;
    if (!code) return Promise.reject(new Error('the phone has not seen a QR yet'));
    return completePairing(this, code);
  }

  /**
   * A contact sends a text to every linked device; `type` tells which Signal message carried it.
   * Devices that are offline get it on their next login (`queued` if none was online).
   */
  deliverText(input: DeliverTextInput): Promise<{ id: string; type: 'pkmsg' | 'msg' | 'plaintext' | 'queued' }> {
    return deliverText(this, input);
  }

  /** A contact (default: the first) writes in a group (default: the first), via sender keys. */
  deliverGroupText(input: { group?: string; from?: string; text: string }): Promise<{ id: string; group: string }> {
    return deliverGroupText(this, input);
  }

  /** A contact votes on a poll the client sent it (#14); `selected: []` withdraws the vote. */
  deliverPollVote(input: DeliverPollVoteInput): Promise<{ id: string }> {
    return deliverPollVote(this, input);
  }

  /** A contact reacts to a message (`""` removes its reaction), in its direct chat or a group (#14). */
  deliverReaction(input: ContactReactionInput): Promise<{ id: string }> {
    return deliverReaction(this, input);
  }

  /** A contact edits one of its own text messages. */
  deliverEdit(input: ContactEditInput): Promise<{ id: string }> {
    return deliverEdit(this, input);
  }

  /** A contact deletes one of its own messages for everyone. */
  deliverRevoke(input: ContactScope & { targetId: string }): Promise<{ id: string }> {
    return deliverRevoke(this, input);
  }

  /** A contact creates a poll (votes: `deliverPollVote` with its id). */
  deliverPoll(input: ContactPollInput): Promise<{ id: string }> {
    return deliverPoll(this, input);
  }

  /** A contact shares a location pin, or a live location (`updateOf` sends a later point of that share). */
  deliverLocation(input: ContactLocationInput): Promise<{ id: string }> {
    return deliverLocation(this, input);
  }

  /** A contact shares one or more contact cards (vCards). */
  deliverContactCard(input: ContactCardInput): Promise<{ id: string }> {
    return deliverContactCard(this, input);
  }

  /** A contact comes online / goes offline; only subscribed devices hear it (`delivered` counts them). */
  contactPresence(input: { from?: string; state: ContactPresenceState; lastSeen?: number }): { delivered: number } {
    return contactPresence(this, input);
  }

  /** A contact types / records / stops in its direct chat or a group; only subscribed devices hear it. */
  contactChatState(input: { from?: string; group?: string; state: ContactChatState }): { delivered: number } {
    return contactChatState(this, input);
  }

  /** A contact sends a media message; the blob is encrypted and served by the local media host. */
  deliverMedia(input: DeliverMediaInput): Promise<{ id: string; type: 'pkmsg' | 'msg' | 'plaintext' | 'queued' }> {
    return deliverMedia(this, input);
  }

  /** Delivery (default) or read receipt from a contact for a message the client sent. */
  receipt(input: { id: string; from?: string; type?: 'read' | 'played' }): void {
    sendReceipt(this, { id: input.id, from: input.from ?? this.contacts[0]?.jid ?? '', type: input.type });
  }

  /** The account's phone read these messages of `chat` (a `read-self` receipt to every linked device). */
  phoneRead(input: { chat: string; ids: string[] }): void {
    sendReadSelf(this, input);
  }

  /**
   * What happened to stanza `id` on its way to a linked device (default: the lowest-numbered one
   * that was sent it): when it was queued, every transmission (and whether it went out as an
   * offline redelivery), when the device acknowledged it, and every receipt/ack the device sent
   * for it. For a message, `ackedAt` is the device's first receipt: after that the server will
   * never send it again. Undefined for ids the server never queued (or long forgotten).
   */
  deliveryOf(id: string, device?: number): Delivery | undefined {
    return this.outbox.deliveryOf(id, device);
  }

  /** Every delivery the ledger holds, oldest first (settled ones beyond 200,000 are forgotten). */
  deliveries(): Delivery[] {
    return this.outbox.deliveries();
  }

  /** Stanzas queued for `device` (default: every linked device) that it has not acknowledged yet. */
  unacknowledged(device?: number): Delivery[] {
    const devices = [...this.state.devices.values()].filter(d => device === undefined || d.device === device);
    return this.outbox.pending(devices);
  }

  injectFault(fault: Fault): { collection?: WAPatchName; version?: number } {
    return applyFault(this, this.switches, fault);
  }

  /** A change made on the phone (mute/archive/pin …) reaches linked devices as an app-state patch. */
  async sendAppStatePatch(mod: ChatModification, jid: string): Promise<{ collection: WAPatchName; version: number }> {
    const result = await this.appState.push(mod, jid);
    notifyServerSync(this, result.collection);
    return result;
  }

  private group(jid: string | undefined): SimulatorGroup {
    const group = jid ? this.groups.find(g => g.jid === jid) : this.groups[0];
    if (!group) throw new Error(jid ? `unknown group ${jid}` : 'the simulator has no groups');
    return group;
  }

  /** Someone (default: the first contact) adds/removes/promotes/demotes participants of a group. */
  groupParticipants(input: { group?: string; action: GroupAction; participants: string[]; by?: string }): void {
    changeParticipants(this, this.group(input.group), input.action, input.participants, input.by ?? this.contacts[0]?.jid ?? this.phone.jid);
  }

  /** `who` (a JID; default the first contact) joins a group through its invite link (`<add reason="invite">`). */
  groupJoinViaLink(input: { group?: string; who?: string }): void {
    const who = input.who ?? this.contacts[0]?.jid ?? this.phone.jid;
    changeParticipants(this, this.group(input.group), 'add', [who], who, { reason: 'invite' });
  }

  /** Someone (default: the first contact) renames a group. */
  groupSubject(input: { group?: string; subject: string; by?: string }): void {
    changeSubject(this, this.group(input.group), input.subject, input.by ?? this.contacts[0]?.jid ?? this.phone.jid);
  }

  exportState(): SimulatorStateSnapshot {
    return this.state.export();
  }

  async stop(): Promise<void> {
    clearTimeout(this.autoPairTimer);
    this.outbox.close();
    for (const conn of this.conns) conn.terminate();
    this.conns.clear();
    await new Promise<void>(resolve => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>(resolve => {
      if (!this.http) return resolve();
      this.http.closeAllConnections();
      this.http.close(() => resolve());
    });
    await this.media.stop();
    this.removeAllListeners();
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new Simulator(options);
  await sim.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sim;
}
