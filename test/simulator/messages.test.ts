import { proto, type WAMessage, type WAMessageUpdate } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type SentMessage, type Simulator } from '../../src/simulator/index.js';
import { endSocket, pairAndOpen, silenceLibsignalConsole, until, type TestSocket } from './helpers.js';

describe('simulator messages over real Signal', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let socket: TestSocket;
  const inbound: WAMessage[] = [];
  const updates: WAMessageUpdate[] = [];
  const ownUpserts: WAMessage[] = [];

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 21, contacts: 2, history: { chats: 0, messagesPerChat: 0 } });
    ({ socket } = await pairAndOpen(sim, {}, s => {
      s.sock.ev.on('messages.upsert', ({ messages }) => {
        inbound.push(...messages.filter(m => !m.key.fromMe));
        ownUpserts.push(...messages.filter(m => m.key.fromMe));
      });
      s.sock.ev.on('messages.update', u => updates.push(...u));
    }));
  });
  afterAll(async () => {
    await endSocket(socket);
    await sim.stop();
    restoreTrust();
  });

  it('inbound pkmsg, outbound reply decrypted exactly, then inbound msg — all in order', async () => {
    const alice = sim.contacts[0];
    if (!alice) throw new Error('seeded contact missing');
    const first = await sim.deliverText({ text: 'hello, this is a prekey message' });
    expect(first.type).toBe('pkmsg');
    await until(() => inbound.find(m => m.key.id === first.id));

    // Until the contact hears back, Signal keeps sending prekey messages; a reply settles the session.
    const received = new Promise<SentMessage>(resolve => sim.once('message-received', resolve));
    const reply = await socket.sock.sendMessage(alice.jid, { text: 'reply: exact bytes ✓ ünïcödé' });
    const copy = await received;
    expect(copy.id).toBe(reply?.key.id);
    // Baileys force-refreshes sessions for newly learned LIDs on its first send
    // (Socket/messages-send.js getUSyncDevices → assertSessions(lids, true)), so this may be a pkmsg.
    expect(['pkmsg', 'msg']).toContain(copy.type);
    expect(copy.text).toBe('reply: exact bytes ✓ ünïcödé');

    const second = await sim.deliverText({ from: alice.jid, text: 'and this one rides the session' });
    expect(second.type).toBe('msg');
    const got = await until(() => {
      const texts = inbound.filter(m => m.key.remoteJid === alice.jid && m.message?.conversation);
      return texts.length >= 2 ? texts : undefined;
    });
    expect(got.map(m => m.message?.conversation)).toEqual(['hello, this is a prekey message', 'and this one rides the session']);
    expect(got.map(m => m.key.id)).toEqual([first.id, second.id]);
    expect(got[0]?.key.remoteJidAlt).toBe(alice.lidJid);
    expect(got[0]?.pushName).toBe(alice.name);
  });

  it('accepts the <plaintext> shortcut', async () => {
    const bob = sim.contacts[1];
    const { id } = await sim.deliverText({ from: bob?.number, text: 'no signal here', plaintext: true });
    const got = await until(() => inbound.find(m => m.key.id === id));
    expect(got.message?.conversation).toBe('no signal here');
  });

  it('decrypts a first (pkmsg) send to a new contact and moves its status with receipts', async () => {
    const bob = sim.contacts[1];
    if (!bob) throw new Error('seeded contact missing');
    sim.autoReceipts = false;
    const received = new Promise<SentMessage>(resolve => sim.once('message-received', resolve));
    const sent = await socket.sock.sendMessage(bob.jid, { text: 'outbound to a fresh session' });
    const id = sent?.key.id;
    const copy = await received;
    expect(copy).toMatchObject({ id, type: 'pkmsg', text: 'outbound to a fresh session', to: bob.jid });
    expect(sim.sent.map(m => m.text)).toContain('outbound to a fresh session');

    // Our own upsert must be out of Baileys' event buffer first, or the receipt is merged into it.
    await until(() => ownUpserts.find(m => m.key.id === id));
    sim.receipt({ id: id ?? '', from: bob.jid });
    await until(() => updates.find(u => u.key.id === id && u.update.status === proto.WebMessageInfo.Status.DELIVERY_ACK));
    sim.receipt({ id: id ?? '', from: bob.jid, type: 'read' });
    const read = await until(() => updates.find(u => u.key.id === id && u.update.status === proto.WebMessageInfo.Status.READ));
    expect(read.key.remoteJid).toBe(bob.jid);
  });
});

describe('simulator with two linked companions', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let a: TestSocket;
  let b: TestSocket;
  const seenByB: WAMessage[] = [];

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 77, contacts: 1, history: { chats: 0, messagesPerChat: 0 } });
    ({ socket: a } = await pairAndOpen(sim));
    ({ socket: b } = await pairAndOpen(sim, {}, s => s.sock.ev.on('messages.upsert', u => seenByB.push(...u.messages))));
  });
  afterAll(async () => {
    await endSocket(a);
    await endSocket(b);
    await sim.stop();
    restoreTrust();
  });

  it('delivers to both devices and syncs what one sends to the other', async () => {
    expect(sim.connections).toBe(2);
    const alice = sim.contacts[0];
    if (!alice) throw new Error('seeded contact missing');
    const { id } = await sim.deliverText({ text: 'to every device' });
    await until(() => seenByB.find(m => m.key.id === id));

    const received = new Promise<SentMessage>(resolve => sim.once('message-received', resolve));
    const sent = await a.sock.sendMessage(alice.jid, { text: 'sent from A' });
    expect((await received).text).toBe('sent from A');
    const mirrored = await until(() => seenByB.find(m => m.key.id === sent?.key.id));
    expect(mirrored.key.fromMe).toBe(true);
    expect(mirrored.key.remoteJid).toBe(alice.jid);
    expect(mirrored.message?.extendedTextMessage?.text ?? mirrored.message?.conversation).toBe('sent from A');
  });
});
