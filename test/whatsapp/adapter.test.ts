/**
 * The Baileys adapter end to end: the real socket against the in-repo simulator, driven by the real
 * supervisor tree, writing into a real SQLite store. No socket mocks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { useStoreAuthState } from '../../src/store/index.js';
import { eventually, type TestApp } from '../helpers/app.js';
import { isState, pair, silenceConsole, startSim, startSimApp, waitState } from '../helpers/sim-app.js';

let sim: Simulator;
let t: TestApp | undefined;

beforeEach(async () => {
  silenceConsole();
  sim = await startSim();
});
afterEach(async () => {
  await t?.stop();
  t = undefined;
  await sim.stop();
});

describe('pairing and persistence', () => {
  it('pairs by QR, survives the 515, ingests the history sync, and reopens without a QR after a restart', async () => {
    t = await startSimApp(sim);
    const qrStatus = await waitState(t, isState('awaiting-qr'));
    expect(qrStatus.qr).toMatch(/,/);
    await sim.scanQr();
    const open = await waitState(t, isState('open'));
    expect(open.me?.id).toBe(sim.phone.jid);
    expect(open.lastDisconnect?.code).toBe(515);

    const store = t.app.store;
    await eventually(() => store.counters.get().messages >= 12);
    const chats = store.chats.listChats({ limit: 50 }).items;
    expect(chats.length).toBeGreaterThanOrEqual(3);
    expect(store.contacts.get(sim.contacts[0]!.jid)).not.toBeNull();
    // Every group the account is in, with its members, not only groups with recent history.
    expect(sim.groups.length).toBeGreaterThan(0);
    const groups = await eventually(() => {
      const items = store.chats.listGroups({ limit: 50 }).items;
      return items.length === sim.groups.length ? items : null;
    });
    expect(groups?.map((g) => g.id).sort()).toEqual(sim.groups.map((g) => g.jid).sort());
    expect(store.groups.get(sim.groups[0]!.jid)?.participants.length).toBeGreaterThan(1);

    const dataDir = t.dataDir;
    await t.stop({ keepData: true });
    let pairings = 0;
    sim.on('paired', () => pairings++);
    t = await startSimApp(sim, {}, dataDir);
    const reopened = await waitState(t, isState('open'));
    expect(reopened.me?.id).toBe(open.me?.id);
    // Never asked for a QR on the second start.
    expect(t.app.runtime.getState().recentTransitions.some((tr) => tr.to.some((s) => s.includes('awaiting-qr')))).toBe(false);
    expect(pairings).toBe(0);
    expect(sim.connections).toBe(1);
  });
});

describe('messages', () => {
  beforeEach(async () => {
    t = await startSimApp(sim);
    await pair(t, sim);
  });

  it('stores an inbound message once and makes it searchable', async () => {
    const contact = sim.contacts[1]!;
    const { id } = await sim.deliverText({ from: contact.jid, text: 'Zebrafish quarterly numbers are in' });
    const msg = await eventually(() => t!.app.store.messages.get(`${contact.jid}:${id}`));
    expect(msg).toMatchObject({ chatId: contact.jid, from: contact.jid, fromMe: false, body: 'Zebrafish quarterly numbers are in', type: 'text' });
    const hits = t!.app.store.messages.search('zebrafish').hits;
    expect(hits.map((h) => h.message.id)).toEqual([`${contact.jid}:${id}`]);
  });

  it('sends text the contact decrypts exactly, and receipts move the status forward', async () => {
    const contact = sim.contacts[0]!;
    const text = 'Héllo from the adapter ✓ 你好';
    const sent = await t!.app.gateway.sendText(contact.jid, text);
    expect(sent.chatId).toBe(contact.jid);
    const received = await eventually(() => sim.sent.find((s) => s.id === sent.keyId && s.to.startsWith(contact.number)));
    expect(received?.text).toBe(text);
    expect(t!.app.store.messages.get(sent.id)).toMatchObject({ fromMe: true, body: text });

    sim.receipt({ id: sent.keyId, from: contact.jid });
    await eventually(() => t!.app.store.messages.get(sent.id)?.status === 'delivered');
    sim.receipt({ id: sent.keyId, from: contact.jid, type: 'read' });
    await eventually(() => t!.app.store.messages.get(sent.id)?.status === 'read');
  });

  it('quotes a stored message when sending a reply', async () => {
    const contact = sim.contacts[0]!;
    const { id } = await sim.deliverText({ from: contact.jid, text: 'question?' });
    await eventually(() => t!.app.store.messages.get(`${contact.jid}:${id}`));
    const sent = await t!.app.gateway.sendText(contact.jid, 'answer', { quotedMessageId: `${contact.jid}:${id}` });
    const stored = t!.app.store.messages.get(sent.id);
    expect(stored?.quotedId).toBe(`${contact.jid}:${id}`);
  });
});

describe('close codes (SPEC §7) through the real socket', () => {
  beforeEach(async () => {
    t = await startSimApp(sim);
    await pair(t, sim);
  });

  it.each([
    ['close', undefined, 428],
    ['stream-error', 503, 503],
    ['stream-error', 515, 515],
  ] as const)('%s %s → reconnects to open (code %i)', async (kind, code, expected) => {
    sim.injectFault({ kind, code });
    await waitState(t!, (s) => s.lastDisconnect?.code === expected && s.state === 'open');
    expect(t!.app.runtime.getStatus().restartBudget.used).toBe(0);
  });

  it('an operator restart replaces the socket once: no second recovery from its own close', async () => {
    const res = await t!.api('/api/restart-wa', { method: 'POST' });
    expect(res.status).toBe(202);
    await waitState(t!, isState('open'));
    await eventually(() => sim.connections === 1);
    const status = t!.app.runtime.getStatus();
    expect(status.restartBudget.used).toBe(0);
    // The self-inflicted close never became a recorded disconnect.
    expect(status.lastDisconnect?.code).toBe(515);
    const opens = t!.app.runtime.getState().recentTransitions.filter((tr) => tr.to.some((s) => s.endsWith('.open')));
    expect(opens).toHaveLength(2);
  });

  it('440 conflict → stuck "replaced", and no reconnect fight', async () => {
    sim.injectFault({ kind: 'conflict' });
    const stuck = await waitState(t!, isState('stuck'));
    expect(stuck.reason).toBe('replaced');
    const res = await fetch(`${t!.url}/healthz`);
    expect(res.status).toBe(503);
    const connections = sim.connections;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sim.connections).toBe(connections);
    expect(t!.app.runtime.getStatus().state).toBe('stuck');
    // Operator restart takes it back.
    expect(t!.app.runtime.send({ type: 'RESTART' }).accepted).toBe(true);
    await waitState(t!, isState('open'));
  });

  it('401 logged out → auth wiped, awaiting a new QR, history intact', async () => {
    await eventually(() => t!.app.store.counters.get().messages >= 12);
    const before = t!.app.store.counters.get().messages;
    sim.injectFault({ kind: 'logout' });
    const s = await waitState(t!, isState('awaiting-qr'));
    expect(s.me).toBeNull();
    expect(t!.app.store.counters.get().messages).toBe(before);
    // The pairing is gone from the stored auth state (fresh, unregistered creds).
    expect(useStoreAuthState(t!.app.store).state.creds.me).toBeUndefined();
    await sim.scanQr();
    await waitState(t!, isState('open'));
  });

  it('keep-alive loss → 408 → recovered', async () => {
    sim.injectFault({ kind: 'silence' });
    await waitState(t!, (s) => s.lastDisconnect?.code === 408, 20_000);
    sim.injectFault({ kind: 'silence', enabled: false });
    await waitState(t!, isState('open'), 20_000);
  });
});

describe('app-state corruption', () => {
  it('soft-resyncs in place (socket stays up), escalates when it repeats, goes stuck over budget, and an operator restart opens', async () => {
    t = await startSimApp(sim, { WA_SYNC_RECOVERY_COOLDOWN_MS: '0', WA_SYNC_SOFT_RECOVERY_LIMIT: '1', WA_RESTART_INTENSITY: '1', WA_READINESS_GRACE_MS: '1000' });
    await pair(t, sim);
    const transitions = () => t!.app.runtime.getState().recentTransitions.map((tr) => tr.to.join(','));

    sim.injectFault({ kind: 'corrupt-app-state' });
    await eventually(() => transitions().some((s) => s.includes('soft-resync')), 15_000);
    await waitState(t, isState('open', 'connecting'), 15_000);

    // A second failure inside the window is over the limit of 1 → restarting → a fresh worker.
    sim.injectFault({ kind: 'corrupt-app-state' });
    await eventually(() => t!.app.runtime.getStatus().restartBudget.used === 1, 20_000);
    await waitState(t, isState('open'), 20_000);

    // Again: the budget of one restart is spent → stuck, unhealthy once the grace has passed.
    sim.injectFault({ kind: 'corrupt-app-state' });
    sim.injectFault({ kind: 'corrupt-app-state' });
    await waitState(t, isState('stuck'), 30_000);
    await eventually(async () => (await fetch(`${t!.url}/healthz`)).status === 503);

    const res = await t.api('/api/restart-wa', { method: 'POST' });
    expect(res.status).toBe(202);
    await waitState(t, isState('open'), 20_000);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
