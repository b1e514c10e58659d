import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LATEST_VERSION } from '../../src/store/migrations.js';

import { ALICE, ALICE_LID, BOB, GROUP, msg, tempStore, type TempStore } from './helpers.js';

describe('media files and status counters', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  it('stores media metadata and finds it by id, file name and message', () => {
    const s = t.store;
    const f = { id: 'f1', fileName: 'a1b2.jpg', originalName: 'holiday.jpg', mime: 'image/jpeg', size: 1234, sha256: 'ab'.repeat(32), createdAt: 5 };
    s.media.add(f);
    expect(s.media.get('f1')).toEqual(f);
    s.media.add({ ...f, messageId: `${ALICE}:K1` });
    expect(s.media.getByMessage(`${ALICE}:K1`)?.fileName).toBe('a1b2.jpg');
    expect(s.media.getByFileName('a1b2.jpg')?.messageId).toBe(`${ALICE}:K1`);
    expect(s.counters.get().mediaFiles).toBe(1);
    expect(s.media.remove('f1')).toBe(true);
    expect(s.media.get('f1')).toBeNull();
    expect(s.counters.get().mediaFiles).toBe(0);
  });

  it('keeps counters equal to a full recount through every kind of write', () => {
    const s = t.store;
    s.contacts.upsertContacts([{ id: ALICE, name: 'A' }, { id: ALICE_LID, pushname: 'a' }, { id: BOB, pushname: 'B' }]);
    s.groups.upsertGroups([{ id: GROUP, subject: 'G', participants: [{ id: ALICE }, { id: BOB, role: 'admin' }] }]);
    const m = msg(ALICE_LID, 'one', { from: ALICE_LID });
    s.messages.upsertMessages([m, msg(ALICE, 'two'), msg(GROUP, 'three', { from: BOB }), m]);
    s.messages.upsertMessages([{ ...m, chatId: ALICE }]);
    s.identity.link(ALICE_LID, ALICE);
    s.media.add({ id: 'f', fileName: 'f.bin', originalName: null, mime: 'application/octet-stream', size: 1, sha256: 'x', createdAt: 1 });
    const cheap = s.counters.get();
    const full = s.counters.recount();
    expect(cheap).toEqual(full);
    expect(cheap).toMatchObject({ messages: 3, chats: 2, groups: 1, contacts: 2, mediaFiles: 1, schemaVersion: LATEST_VERSION });
    expect(cheap.lastMessageAt).toBe(Math.max(...s.messages.list(GROUP).items.map((x) => x.timestamp), ...s.messages.list(ALICE).items.map((x) => x.timestamp)));
    expect(cheap.dbBytes).toBeGreaterThan(0);
  });

  it('caches group metadata with named participants', () => {
    const s = t.store;
    s.contacts.upsertContacts([{ id: ALICE, name: 'Alice' }]);
    s.groups.upsertGroups([{ id: GROUP, subject: 'Climbing', owner: ALICE, participants: [{ id: ALICE, role: 'superadmin' }, { id: ALICE_LID.replace('1234', '9999'), phoneJid: BOB }] }]);
    const g = s.groups.get(GROUP);
    expect(g).toMatchObject({ id: GROUP, subject: 'Climbing', owner: ALICE });
    expect(g?.participants).toEqual([
      { id: ALICE, role: 'superadmin', name: 'Alice' },
      { id: BOB, role: 'member', name: null },
    ]);
    s.groups.upsertGroups([{ id: GROUP, subject: '' }]);
    expect(s.groups.get(GROUP)?.subject).toBe('Climbing');
    expect(s.groups.memberships().get(GROUP)?.sort()).toEqual([ALICE, BOB].sort());
  });
});
