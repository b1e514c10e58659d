/**
 * The simulator's group and block-list state survives a restart from `exportState()` (issue #14 leftover):
 * groups created, renamed and reconfigured through the real Baileys socket, with their invite code, and
 * the block list, are what the restarted server answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, trustSimulatorRoot } from '../../src/simulator/index.js';
import { connect, endSocket, pairAndOpen, silenceLibsignalConsole, waitForOpen } from './helpers.js';

describe('simulator state: groups and block list across a restart', () => {
  let restoreTrust: () => void;
  beforeAll(() => {
    silenceLibsignalConsole();
    restoreTrust = trustSimulatorRoot();
  });
  afterAll(() => restoreTrust());

  it('keeps created groups, subjects, settings, invite codes, departures and blocks', async () => {
    const options = { seed: 61, contacts: 3, groups: 2, history: { chats: 0, messagesPerChat: 0 } } as const;
    const first = await startSimulator(options);
    const [alice, bob, carol] = first.contacts;
    const [seeded, other] = first.groups;
    if (!alice || !bob || !carol || !seeded || !other) throw new Error('seeded contacts/groups missing');
    const { auth, socket } = await pairAndOpen(first);
    const sock = socket.sock;

    const created = await sock.groupCreate('Persisted group', [alice.jid, bob.jid]);
    await sock.groupUpdateSubject(created.id, 'Renamed group');
    await sock.groupUpdateDescription(created.id, 'kept across restarts');
    await sock.groupSettingUpdate(created.id, 'announcement');
    await sock.groupParticipantsUpdate(created.id, [bob.jid], 'remove');
    const invite = await sock.groupInviteCode(created.id);
    await sock.groupLeave(other.jid);
    await sock.updateBlockStatus(carol.jid, 'block');
    const blockedBefore = await sock.fetchBlocklist();
    expect(blockedBefore.length).toBe(1);
    await endSocket(socket);

    const snapshot = first.exportState();
    await first.stop();

    const second = await startSimulator({ ...options, state: snapshot });
    try {
      // The server's own model is the restored one, not a fresh seed (the group we left is still there, without us).
      expect(second.groups.map(g => g.jid).sort()).toEqual([seeded.jid, other.jid, created.id].sort());
      expect(second.groups.find(g => g.jid === other.jid)?.participants.some(p => p.jid === second.phone.jid)).toBe(false);
      const again = connect(second, auth);
      await waitForOpen(again.sock);
      const meta = await again.sock.groupMetadata(created.id);
      expect(meta.subject).toBe('Renamed group');
      expect(meta.desc).toBe('kept across restarts');
      expect(meta.announce).toBe(true);
      expect(meta.participants.map(p => p.id).sort()).toEqual([second.phone.jid, alice.jid].sort());
      expect(await again.sock.groupInviteCode(created.id)).toBe(invite);
      const all = await again.sock.groupFetchAllParticipating();
      expect(Object.keys(all).sort()).toEqual([seeded.jid, created.id].sort());
      expect(await again.sock.fetchBlocklist()).toEqual(blockedBefore);
      await endSocket(again);
    } finally {
      await second.stop();
    }

    // A state exported before groups were persisted still loads (the groups are seeded again).
    const legacy = JSON.parse(snapshot.data) as Record<string, unknown>;
    delete legacy.groups;
    delete legacy.blocklist;
    const third = await startSimulator({ ...options, state: { version: 1, data: JSON.stringify(legacy) } });
    try {
      expect(third.groups.map(g => g.jid)).toEqual([seeded.jid, other.jid]);
    } finally {
      await third.stop();
    }
  });
});
