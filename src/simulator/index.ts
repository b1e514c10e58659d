/**
 * Built-in WhatsApp protocol simulator: a local WebSocket server that the *real* Baileys
 * socket (`makeWASocket`) pairs with, logs into and exchanges messages with, offline.
 *
 * Architecture (one reason to change per file):
 * - `transport/frames.ts`  3-byte length framing and the client's `WA`/`ED` intro header
 * - `transport/noise.ts`   Noise XX responder (handshake + AES-GCM transport), mirror of Baileys' initiator
 * - `pki.ts`               test root → intermediate → leaf chain, and `trustSimulatorRoot()`
 * - `connection.ts`        one WebSocket: handshake, node (de)coding, server-originated iqs, silence/slow
 * - `phone.ts`             the fake primary phone: QR parsing, ADV signatures, pair-success
 * - `pairing.ts`           pair-device refs → scan → pair-success → verify → stream:error 515; and linking
 *                          by phone number: companion_hello → (code typed) primary_hello → companion_finish
 *                          → pair-success with the derived ADV secret → 515 (`enterPairingCode`)
 * - `login.ts`             login/registration routing, success, offline catch-up, first-login bootstrap
 * - `outbox.ts`            store-and-forward of every stanza to a device until it acks (receipt/ack),
 *                          offline redelivery (offline_preview → offline_batch → offline count), and
 *                          the delivery ledger behind `deliveryOf()`
 * - `iq-handlers.ts`       answers to the client's iqs (prekeys, usync, props, app state …; 501 otherwise)
 * - `deliver.ts`           contact/phone → client: Signal 1:1, group sender keys, media, `<plaintext>`;
 *                          renders queued stanzas (encrypted afresh at each transmission)
 * - `receive.ts`           client → contacts: decryption, media check, relay to other companions,
 *                          acks and receipts
 * - `signal/*`             fake Signal parties (contacts, own phone) on Baileys' libsignal repository
 * - `groups.ts`            seeded groups: w:g2 metadata/participating/admin iqs, w:gp2 notifications
 * - `contact-actions.ts`   a contact's reactions, edits, revokes, polls, locations, contact cards (#14)
 * - `presence.ts`          contacts' presence / chat states to subscribed companions (#14)
 * - `media/*`              local media host (HTTPS upload with a throwaway self-signed cert, HTTP
 *                          download), WhatsApp media encryption, and the fetch dispatcher that routes
 *                          https://mmg.whatsapp.net (history-sync direct paths) to the local host
 * - `history.ts`           seeded inline INITIAL_BOOTSTRAP history sync (the default)
 * - `history-stream.ts`    streamed history: item types and the chunker (bootstrap/recent/full/push names)
 * - `history-sync.ts`      the phone uploads chunks (deflate, md-msg-hist encryption, media host) and
 *                          announces each with a HISTORY_SYNC_NOTIFICATION, paced by the device's acks
 * - `app-state.ts`         app-state key share and syncd patch log (valid and deliberately corrupt,
 *                          optionally repairable: later snapshot fetches get a valid snapshot blob)
 * - `faults.ts`            fault injection mapped to Baileys close codes
 * - `state.ts`             persistent server state (devices, Signal stores, app-state log, groups with their
 *                          settings and invite codes, block list), exportable across restarts
 * - `simulator.ts`         the `Simulator` class wiring it together; `startSimulator()`
 * - `socket-config.ts`     Baileys settings pointing at a simulator (short timeouts, media trust)
 * - `contacts.ts`, `util/*` seeded phone/contacts, deterministic RNG and keys, node helpers
 *
 * Determinism: a seed fixes the phone, contacts, groups, history, app-state key and the server's
 * long-term keys. Message/stanza ids, QR refs, noise ephemerals, the contacts' Signal identities and
 * Baileys' own keys stay random (ids must stay unique across simulator restarts). exportState() keeps devices, prekeys, offline queues, Signal stores and the
 * app-state log; restart with the same seed (it derives the phone identity and app-state key).
 *
 * Events (`sim.on`): 'connection' and 'close' (every WebSocket), 'qr', 'paired', 'pairing-code-requested',
 * 'pairing-code-rejected' (a wrong code typed on the phone), 'login' (with
 * offlineMessages: stanzas redelivered before `<ib><offline>`), 'unlinked', 'message-received' (a
 * SentMessage, decrypted), 'client-receipt', 'client-ack', 'decrypt-error', 'delivery' (a
 * DeliveryEvent: queued / sent / receipt / ack / acked, for every stanza to every device),
 * 'history-chunk' / 'history-complete' (streamed history progress per device).
 *
 * Delivery guarantees: every message, receipt and notification to a linked device stays queued
 * until that device acknowledges it (Baileys sends its receipt for a message *before* it emits
 * `messages.upsert`); what is still queued on the next login is sent again with `offline="1"`.
 * `sim.deliveryOf(id)` answers "did the device acknowledge X, and when?".
 *
 * Usage: call `trustSimulatorRoot()` once, `startSimulator()`, then create sockets with
 * `simulatorSocketConfig(sim)`. The phone only learns a QR when the app shows it: forward
 * `connection.update.qr` with `sim.watch(sock)` or `sim.seeQr(qr)`, then `sim.scanQr()`
 * (or start with `autoPair`).
 */
export { startSimulator, Simulator } from './simulator.js';
export { simulatorSocketConfig, SIMULATOR_WA_VERSION } from './socket-config.js';
export { trustSimulatorRoot, simulatorRootPublicKey } from './pki.js';
export { parseQr, type ParsedQr } from './phone.js';
export type { PairResult } from './pairing.js';
export type { Delivery, DeliveryChange, DeliveryEvent } from './outbox.js';
export { historyChunks } from './history-stream.js';
export type { HistoryChat, HistoryChunk, HistoryChunkOptions, HistoryContact, HistoryItem, HistoryMessage, HistoryStream } from './history-stream.js';
export type { HistoryChunkEvent, HistoryCompleteEvent } from './history-sync.js';
export type { DeliverMediaInput, DeliverTextInput } from './deliver.js';
export type { GroupAction, GroupParticipant, SimulatorGroup } from './groups.js';
export { simulatorMediaAgent } from './media/host.js';
export type { PhoneInfo } from './core.js';
export type { ClientPresence } from './actions.js';
export type { ClientAppStateMutation } from './app-state-upload.js';
export type { ClientBlockChange } from './blocklist.js';
export type { DeliverPollVoteInput } from './poll-votes.js';
export type { ContactCardInput, ContactEditInput, ContactLocationInput, ContactPollInput, ContactReactionInput, ContactScope } from './contact-actions.js';
export type { ContactChatState, ContactPresenceState } from './presence.js';
export type {
  ContactSeed,
  Fault,
  FaultKind,
  HistoryOptions,
  HistoryStreamOptions,
  MediaKind,
  PhoneOptions,
  SentMessage,
  SimulatorContact,
  SimulatorLogger,
  SimulatorOptions,
  SimulatorStateSnapshot,
} from './types.js';
