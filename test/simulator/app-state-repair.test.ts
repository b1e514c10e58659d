import type { AuthenticationState, ChatUpdate, WAPatchName } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot, type Simulator } from '../../src/simulator/index.js';
import { eventually, type TestApp } from '../helpers/app.js';
import { isState, pair, silenceConsole, startSim, startSimApp, waitState } from '../helpers/sim-app.js';
import { captureLogger, endSocket, pairAndOpen, silenceLibsignalConsole, until, type TestSocket } from './helpers.js';

describe('repairable app-state corruption: the soft resync after a park succeeds', () => {
  let restoreTrust: () => void;
  let sim: Simulator;
  let socket: TestSocket;
  let auth: AuthenticationState;
  const captured = captureLogger('info');
  const chatUpdates: { at: number; update: ChatUpdate }[] = [];
  const lines = (text: string): string[] => captured.lines.filter(l => l.includes(text));

  /** What an app does after Baileys parks a collection (the product's soft resync): forget it, fetch from v0. */
  async function softResync(collection: WAPatchName): Promise<void> {
    await auth.keys.set({ 'app-state-sync-version': { [collection]: null } });
    await socket.sock.resyncAppState([collection], false);
  }

  beforeAll(async () => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
    sim = await startSimulator({ seed: 81, contacts: 2, history: { chats: 0, messagesPerChat: 0 } });
    // MAC checks on (Baileys' default is off): the snapshot and every later patch must verify.
    ({ socket, auth } = await pairAndOpen(sim, { logger: captured.logger, appStateMacVerification: { patch: true, snapshot: true } }, s =>
      s.sock.ev.on('chats.update', u => chatUpdates.push(...u.map(update => ({ at: Date.now(), update })))),
    ));
    await until(() => (auth.creds.me?.name === sim.phone.pushName ? true : undefined));
  });
  afterAll(async () => {
    await endSocket(socket);
    await sim.stop();
    restoreTrust();
  });

  it('parks on the corrupt patch, then restores the collection from a valid snapshot and keeps syncing', async () => {
    const alice = sim.contacts[0]?.jid ?? '';
    const bob = sim.contacts[1]?.jid ?? '';
    expect(alice && bob).toBeTruthy();
    await sim.sendAppStatePatch({ mute: 1_900_000_000_000 }, alice);
    await until(() => chatUpdates.find(u => u.update.id === alice && u.update.muteEndTime !== undefined));

    // Mutes live in regular_high: corrupt that collection, after the valid mute patch.
    const { version } = sim.injectFault({ kind: 'corrupt-app-state', collection: 'regular_high', repairable: true });
    await until(() => lines('regular_high blocked on missing key').find(l => l.includes('parking after 2 attempts')));
    const parkedBefore = lines('parking after').length;

    const resyncAt = Date.now();
    await softResync('regular_high');
    expect(lines(`restored state of regular_high from snapshot to v${version ?? -1}`)).toHaveLength(1);
    expect(lines('parking after')).toHaveLength(parkedBefore);
    expect(lines('LTHash verification failed')).toEqual([]);
    const stored = await auth.keys.get('app-state-sync-version', ['regular_high']);
    expect(stored.regular_high?.version).toBe(version);
    // The snapshot's records decrypt: the mute is re-applied from it.
    await until(() => chatUpdates.find(u => u.at >= resyncAt && u.update.id === alice && u.update.muteEndTime !== undefined));

    // In sync again: the next patch of that collection chains onto the restored state (MACs verified).
    const next = await sim.sendAppStatePatch({ mute: 1_950_000_000_000 }, bob);
    expect(next.version).toBe((version ?? 0) + 1);
    await until(() => chatUpdates.find(u => u.update.id === bob && u.update.muteEndTime !== undefined));
    expect(lines('parking after')).toHaveLength(parkedBefore);
    expect(lines('failed to sync regular_high')).toEqual([]);
    expect(lines('synced regular_high to v').some(l => l.includes(`to v${next.version}`))).toBe(true);
  });

  it('without repair the same soft resync fails again (the corruption stays)', async () => {
    sim.injectFault({ kind: 'corrupt-app-state', collection: 'regular_low' });
    await until(() => lines('regular_low blocked on missing key').find(l => l.includes('parking after 2 attempts')));
    const parked = lines('regular_low blocked on missing key').filter(l => l.includes('parking after')).length;
    await softResync('regular_low');
    const after = lines('regular_low blocked on missing key').filter(l => l.includes('parking after')).length;
    expect(after).toBe(parked + 1);
    expect(lines('restored state of regular_low')).toEqual([]);
  });
});

describe('repairable app-state corruption through the real server', () => {
  let sim: Simulator;
  let t: TestApp | undefined;

  beforeAll(async () => {
    silenceConsole();
    sim = await startSim({ seed: 82 });
  });
  afterAll(async () => {
    await t?.stop();
    await sim.stop();
  });

  it('the product soft-resyncs in place and the resync succeeds: RESYNC_DONE, socket never replaced', async () => {
    t = await startSimApp(sim, { WA_SYNC_RECOVERY_COOLDOWN_MS: '0' });
    await pair(t, sim);
    const app = t.app;
    const connections = sim.connections;
    let closes = 0;
    sim.on('close', () => closes++);
    const since = Date.now();
    sim.injectFault({ kind: 'corrupt-app-state', collection: 'regular_high', repairable: true });
    const events = () => app.runtime.getState().recentTransitions.filter(tr => tr.at >= since).map(tr => tr.event);
    await eventually(() => events().includes('ENGINE.RESYNC_DONE'), 20_000);
    expect(events()).toContain('ENGINE.APP_STATE_FAILURE');
    expect(events()).not.toContain('ENGINE.RESYNC_FAILED');
    await waitState(t, isState('open'));
    expect(closes).toBe(0);
    expect(sim.connections).toBe(connections);
  });
});
