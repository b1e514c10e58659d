import type { GroupMetadata } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type SentMessage, type Simulator } from '../../src/simulator/index.js';
import { endSocket, pairAndOpen, silenceLibsignalConsole, until, waitForEvent, type TestSocket } from './helpers.js';

describe('simulator groups and queries', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let socket: TestSocket;

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 55, contacts: 3, groups: 1, history: { chats: 0, messagesPerChat: 0 } });
    ({ socket } = await pairAndOpen(sim));
  });
  afterAll(async () => {
    await endSocket(socket);
    await sim.stop();
    restoreTrust();
  });

  it('answers w:g2 metadata and the participating list', async () => {
    const group = sim.groups[0];
    if (!group) throw new Error('seeded group missing');
    const meta: GroupMetadata = await socket.sock.groupMetadata(group.jid);
    expect(meta.subject).toBe(group.subject);
    expect(meta.participants.map(p => p.id).sort()).toEqual(group.participants.map(p => p.jid).sort());
    expect(meta.participants.find(p => p.id === sim.phone.jid)?.admin).toBe('superadmin');
    const all = await socket.sock.groupFetchAllParticipating();
    expect(Object.keys(all)).toEqual([group.jid]);
  });

  it('turns w:gp2 notifications into group-participants.update and groups.update', async () => {
    const group = sim.groups[0];
    const newcomer = '15550001234@s.whatsapp.net';
    const added = waitForEvent(socket.sock, 'group-participants.update', u => u.action === 'add');
    sim.groupParticipants({ action: 'add', participants: [newcomer] });
    const addEvent = await added;
    expect(addEvent.id).toBe(group?.jid);
    expect(addEvent.participants.map(p => (typeof p === 'string' ? p : p.id))).toEqual([newcomer]);

    const removed = waitForEvent(socket.sock, 'group-participants.update', u => u.action === 'remove');
    sim.groupParticipants({ action: 'remove', participants: [newcomer] });
    expect((await removed).participants.map(p => (typeof p === 'string' ? p : p.id))).toEqual([newcomer]);

    const renamed = waitForEvent(socket.sock, 'groups.update', u => u.some(g => g.subject === 'Renamed by Alice'));
    sim.groupSubject({ subject: 'Renamed by Alice' });
    expect((await renamed).find(g => g.subject)?.id).toBe(group?.jid);
  });

  it('decrypts a group send (sender key) for every member contact', async () => {
    const group = sim.groups[0];
    if (!group) throw new Error('seeded group missing');
    const members = sim.contacts.map(c => c.jid);
    const received: SentMessage[] = [];
    const all = new Promise<void>(resolve => {
      const onMessage = (m: SentMessage): void => {
        if (m.to !== group.jid) return;
        received.push(m);
        if (received.length === members.length) {
          sim.off('message-received', onMessage);
          resolve();
        }
      };
      sim.on('message-received', onMessage);
    });
    const sent = await socket.sock.sendMessage(group.jid, { text: 'hello group' });
    await all;
    expect(received.map(m => m.recipient).sort()).toEqual([...members].sort());
    expect(new Set(received.map(m => `${m.type}:${m.text}:${m.id}`))).toEqual(new Set([`skmsg:hello group:${sent?.key.id}`]));
  });

  it('delivers contacts\' group messages (sender-key distribution, then skmsg only)', async () => {
    const group = sim.groups[0];
    const [alice, bob] = sim.contacts;
    const texts: { from: string | null | undefined; text: string | null | undefined; id: string | null | undefined }[] = [];
    socket.sock.ev.on('messages.upsert', u => {
      for (const m of u.messages) {
        if (m.key.remoteJid === group?.jid && m.message?.conversation) texts.push({ from: m.key.participant, text: m.message.conversation, id: m.key.id });
      }
    });
    const sent = [
      await sim.deliverGroupText({ text: 'group hello from alice' }),
      await sim.deliverGroupText({ from: bob?.jid, text: 'bob chimes in' }),
      await sim.deliverGroupText({ from: alice?.jid, text: 'alice again, skmsg only' }),
    ];
    await until(() => (texts.length >= 3 ? texts : undefined));
    expect(texts).toEqual([
      { from: alice?.jid, text: 'group hello from alice', id: sent[0]?.id },
      { from: bob?.jid, text: 'bob chimes in', id: sent[1]?.id },
      { from: alice?.jid, text: 'alice again, skmsg only', id: sent[2]?.id },
    ]);
  });

  it('answers on-WhatsApp checks, profile pictures and status (contact info)', async () => {
    const alice = sim.contacts[0];
    if (!alice) throw new Error('seeded contact missing');
    const found = await socket.sock.onWhatsApp(alice.number, '15550009999');
    expect(found?.find(r => r.jid === alice.jid)?.exists).toBe(true);
    expect(found?.some(r => r.jid === '15550009999@s.whatsapp.net' && r.exists)).toBe(false);
    const url = await socket.sock.profilePictureUrl(alice.jid, 'image');
    expect(url).toContain(alice.number);
    const status = await socket.sock.fetchStatus(alice.jid);
    expect(JSON.stringify(status)).toContain('Hey there!');
  });
});
