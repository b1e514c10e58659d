import { DisconnectReason, type AuthenticationState } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type Fault, type Simulator } from '../../src/simulator/index.js';
import { connect, endSocket, pairAndOpen, silenceLibsignalConsole, waitForOpen } from './helpers.js';

describe('simulator fault injection → Baileys close codes', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let auth: AuthenticationState;

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 11, history: { chats: 0, messagesPerChat: 0 } });
    const paired = await pairAndOpen(sim);
    auth = paired.auth;
    await endSocket(paired.socket);
  });
  afterAll(async () => {
    await sim.stop();
    restoreTrust();
  });

  const cases: [string, Fault, number][] = [
    ['ws close', { kind: 'close' }, DisconnectReason.connectionClosed],
    ['xmlstreamend', { kind: 'xmlstreamend' }, DisconnectReason.connectionClosed],
    ['stream:error 515', { kind: 'stream-error', code: 515 }, DisconnectReason.restartRequired],
    ['stream:error 503', { kind: 'stream-error', code: 503 }, DisconnectReason.unavailableService],
    ['stream:error 401', { kind: 'stream-error', code: 401 }, DisconnectReason.loggedOut],
    ['conflict replaced', { kind: 'conflict' }, DisconnectReason.connectionReplaced],
    ['failure 401', { kind: 'failure' }, DisconnectReason.loggedOut],
  ];

  it.each(cases)('%s closes the socket with the expected code', async (_name, fault, expected) => {
    const socket = connect(sim, auth);
    await waitForOpen(socket.sock);
    sim.injectFault(fault);
    expect(await socket.closed).toBe(expected);
  });

  it('silence (no pings answered) ends in 408 connectionLost', async () => {
    const socket = connect(sim, auth, { keepAliveIntervalMs: 500 });
    await waitForOpen(socket.sock);
    sim.injectFault({ kind: 'silence' });
    expect(await socket.closed).toBe(DisconnectReason.connectionLost);
  });

  it('refused connections end in 408 and recover when lifted', async () => {
    sim.injectFault({ kind: 'refuse' });
    const refused = connect(sim, auth, { connectTimeoutMs: 800 });
    expect(await refused.closed).toBe(DisconnectReason.timedOut);
    sim.injectFault({ kind: 'refuse', enabled: false });
    const socket = connect(sim, auth);
    await waitForOpen(socket.sock);
    expect(sim.connections).toBe(1);
    await endSocket(socket);
  });

  it('slow answers still let the client open and query', async () => {
    sim.injectFault({ kind: 'slow', delayMs: 50 });
    const socket = connect(sim, auth);
    await waitForOpen(socket.sock);
    const found = await socket.sock.onWhatsApp(sim.contacts[0]?.number ?? '');
    expect(found?.[0]?.exists).toBe(true);
    sim.injectFault({ kind: 'slow', enabled: false });
    await endSocket(socket);
  });

  it('logout unlinks the device: 401 now and failure 401 on the next login', async () => {
    const socket = connect(sim, auth);
    await waitForOpen(socket.sock);
    sim.injectFault({ kind: 'logout' });
    expect(await socket.closed).toBe(DisconnectReason.loggedOut);
    const again = connect(sim, auth);
    expect(await again.closed).toBe(DisconnectReason.loggedOut);
  });
});
