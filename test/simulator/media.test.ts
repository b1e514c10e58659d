import { randomBytes } from 'node:crypto';
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type SentMessage, type Simulator } from '../../src/simulator/index.js';
import { endSocket, pairAndOpen, silenceLibsignalConsole, silentLogger, waitForEvent, type TestSocket } from './helpers.js';

describe('simulator media host (real media crypto)', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let socket: TestSocket;

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 66, contacts: 1, history: { chats: 0, messagesPerChat: 0 } });
    ({ socket } = await pairAndOpen(sim));
  });
  afterAll(async () => {
    await endSocket(socket);
    await sim.stop();
    restoreTrust();
  });

  it('inbound: a contact image is downloaded and decrypted by Baileys', async () => {
    const data = randomBytes(3000);
    const arrived = waitForEvent(socket.sock, 'messages.upsert', u => u.messages.some(m => !!m.message?.imageMessage));
    const { id } = await sim.deliverMedia({ kind: 'image', data, mimetype: 'image/jpeg', caption: 'look' });
    const msg = (await arrived).messages.find(m => m.key.id === id) as WAMessage;
    expect(msg.message?.imageMessage?.caption).toBe('look');
    const downloaded = await downloadMediaMessage(msg, 'buffer', {}, { logger: silentLogger, reuploadRequest: async m => m });
    expect(Buffer.compare(downloaded, data)).toBe(0);
  });

  it('outbound: Baileys uploads over HTTPS and the contact decrypts the exact bytes', async () => {
    const alice = sim.contacts[0];
    if (!alice) throw new Error('seeded contact missing');
    const data = randomBytes(5000);
    const received = new Promise<SentMessage>(resolve => sim.once('message-received', resolve));
    await socket.sock.sendMessage(alice.jid, { document: data, mimetype: 'application/octet-stream', fileName: 'blob.bin' });
    const copy = await received;
    expect(copy.media?.kind).toBe('document');
    expect(copy.media?.mimetype).toBe('application/octet-stream');
    expect(copy.media && Buffer.compare(copy.media.data, data)).toBe(0);
  });
});
