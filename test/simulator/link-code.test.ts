/**
 * Linking by phone number against the simulator (issue #14): the real Baileys socket's requestPairingCode
 * (companion_hello), the simulated phone typing the code (primary_hello), Baileys' companion_finish, then
 * pair-success HMAC'd with the ADV secret both sides derived, the 515 restart and a login that opens.
 */
import { Browsers, type BinaryNode, type WASocket } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type Simulator } from '../../src/simulator/index.js';
import { connect, endSocket, memoryAuth, silenceLibsignalConsole, waitForOpen, waitForQr, type TestSocket } from './helpers.js';

const CHROME = Browsers.macOS('Chrome');

/** WhatsApp's answer to the next companion_hello: the pairing ref, or the error iq. */
function nextAnswer(sock: WASocket): Promise<{ ref?: Buffer; error?: string }> {
  return new Promise((resolve) => {
    sock.ws.once('CB:iq,type:result,link_code_companion_reg', (node: BinaryNode) => {
      const reg = (node.content as BinaryNode[])[0];
      const ref = (reg?.content as BinaryNode[] | undefined)?.find((c) => c.tag === 'link_code_pairing_ref');
      resolve({ ref: Buffer.from(ref?.content as Uint8Array) });
    });
    sock.ws.once('CB:iq,type:error', (node: BinaryNode) => {
      const e = (node.content as BinaryNode[])[0];
      resolve({ error: `${e?.attrs.code} ${e?.attrs.text}` });
    });
  });
}

describe('simulator: link with phone number', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let sockets: TestSocket[] = [];
  beforeAll(() => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
  });
  afterAll(() => restoreTrust());
  afterEach(async () => {
    for (const s of sockets) if (s.sock.ws.isOpen) await endSocket(s);
    sockets = [];
    await sim.stop();
  });

  async function unpaired(browser = CHROME) {
    const auth = memoryAuth();
    const socket = connect(sim, auth, { browser });
    sockets.push(socket);
    await waitForQr(socket.sock);
    return { auth, socket };
  }

  it('the phone types the code: pair-success, 515, and the next login opens as the linked device', async () => {
    sim = await startSimulator({ seed: 71, contacts: 1, history: { chats: 0, messagesPerChat: 0 } });
    const { auth, socket } = await unpaired();
    const answer = nextAnswer(socket.sock);
    const code = await socket.sock.requestPairingCode(sim.phone.number);
    expect(code).toMatch(/^[0-9A-Z]{8}$/);
    expect((await answer).ref?.length).toBe(16);
    expect(sim.latestPairingCode).toBe(code); // the app "showed" it

    // A mistyped code opens nothing: the phone gives up, the companion keeps waiting.
    const wrong = code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    await expect(sim.enterPairingCode(wrong)).rejects.toThrow(/wrong pairing code/);
    expect(sim.state.devices.size).toBe(0);
    expect(socket.sock.ws.isOpen).toBe(true);

    const paired = await sim.enterPairingCode(`${code.slice(0, 4)}-${code.slice(4)}`);
    expect(paired.jid).toBe(`${sim.phone.number}:${paired.device}@s.whatsapp.net`);
    expect(await socket.closed).toBe(515);
    expect(auth.creds.registered).toBe(true);
    expect(auth.creds.account).toBeTruthy();
    expect(auth.creds.me?.id).toBe(paired.jid);

    const again = connect(sim, auth, { browser: CHROME });
    sockets.push(again);
    await waitForOpen(again.sock);
    expect(again.updates.some((u) => u.qr)).toBe(false);
    expect(again.sock.user?.id).toBe(paired.jid);
  });

  it('refuses what WhatsApp refuses: a desktop-app identity (400) and a number without an account (404)', async () => {
    sim = await startSimulator({ seed: 72, contacts: 1, history: { chats: 0, messagesPerChat: 0 } });
    const desktop = await unpaired(Browsers.macOS('Desktop'));
    const refused = nextAnswer(desktop.socket.sock);
    await desktop.socket.sock.requestPairingCode(sim.phone.number); // Baileys returns a code anyway
    expect(await refused).toEqual({ error: '400 bad-request' });
    await expect(sim.enterPairingCode()).rejects.toThrow(/no companion is waiting/);

    const other = await unpaired();
    const unknown = nextAnswer(other.socket.sock);
    await other.socket.sock.requestPairingCode('15550009999');
    expect(await unknown).toEqual({ error: '404 item-not-found' });
  });
});
