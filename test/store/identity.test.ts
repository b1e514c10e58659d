import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isWeakName, jidKind, normalizeJid, phoneToJid } from '../../src/store/index.js';
import { ALICE, ALICE_LID, GROUP, msg, tempStore, type TempStore } from './helpers.js';

describe('JID helpers', () => {
  it('normalises device, agent and legacy server forms', () => {
    expect(normalizeJid('447911123456:12@s.whatsapp.net')).toBe(ALICE);
    expect(normalizeJid('447911123456_1:3@S.WhatsApp.Net')).toBe(ALICE);
    expect(normalizeJid('447911123456@c.us')).toBe(ALICE);
    expect(normalizeJid('123456789012345:4@lid')).toBe(ALICE_LID);
    expect(normalizeJid(GROUP)).toBe(GROUP);
    expect(normalizeJid('not a jid')).toBeNull();
    expect(normalizeJid('@s.whatsapp.net')).toBeNull();
  });

  it('turns phone numbers in any common format into a phone JID', () => {
    for (const input of ['+44 7911 123456', '447911123456', '0044 7911-123456', '+44 (7911) 123.456', ALICE, '447911123456@c.us']) {
      expect(phoneToJid(input), input).toBe(ALICE);
    }
    expect(phoneToJid('12345')).toBeNull();
    expect(phoneToJid('alice')).toBeNull();
    expect(phoneToJid(ALICE_LID)).toBeNull();
  });

  it('classifies JIDs and weak names', () => {
    expect(jidKind(ALICE)).toBe('pn');
    expect(jidKind(ALICE_LID)).toBe('lid');
    expect(jidKind(GROUP)).toBe('group');
    expect(jidKind('status@broadcast')).toBe('status');
    expect(isWeakName('', ALICE)).toBe(true);
    expect(isWeakName('   ')).toBe(true);
    expect(isWeakName(ALICE)).toBe(true);
    expect(isWeakName('447911123456', ALICE)).toBe(true);
    expect(isWeakName('+44 7911 123456')).toBe(true);
    expect(isWeakName('Alice')).toBe(false);
    expect(isWeakName('Agent 007')).toBe(false);
  });
});

describe('identity across LID and phone JIDs', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  it('resolves JID, LID and every phone format to one canonical id once linked', () => {
    const s = t.store;
    expect(s.identity.resolve(ALICE_LID)).toBe(ALICE_LID);
    s.identity.link(ALICE_LID, ALICE);
    for (const input of [ALICE, ALICE_LID, '123456789012345:7@lid', '+44 7911 123456', '447911123456', '447911123456@s.whatsapp.net']) {
      expect(s.identity.resolve(input), input).toBe(ALICE);
    }
    expect(s.identity.aliases(ALICE)).toEqual([ALICE, ALICE_LID]);
    expect(s.identity.link('nope', ALICE)).toBe(false);
  });

  it('merges a LID contact into the phone contact, keeping the best names', () => {
    const s = t.store;
    s.contacts.upsertContacts([{ id: ALICE_LID, pushname: 'ali' }]);
    s.contacts.upsertContacts([{ id: ALICE, name: 'Alice Smith' }]);
    expect(s.counters.get().contacts).toBe(2);
    s.identity.link(ALICE_LID, ALICE);
    const c = s.contacts.get(ALICE_LID);
    expect(c).toEqual({ id: ALICE, name: 'Alice Smith', pushname: 'ali', number: '447911123456', isMyContact: true, lid: ALICE_LID });
    expect(s.contacts.get('+44 7911 123456')?.id).toBe(ALICE);
    expect(s.counters.get().contacts).toBe(1);
  });

  it('learns the mapping from a contact event carrying both ids', () => {
    const s = t.store;
    s.contacts.upsertContacts([{ id: ALICE_LID, phoneJid: ALICE, pushname: 'Ali' }]);
    expect(s.contacts.get(ALICE_LID)?.id).toBe(ALICE);
    expect(s.contacts.get(ALICE)?.lid).toBe(ALICE_LID);
  });

  it('moves a LID chat and its messages under the phone JID, without duplicates', () => {
    const s = t.store;
    const a = msg(ALICE_LID, 'hello from lid', { from: ALICE_LID });
    const b = msg(ALICE, 'hello from phone');
    s.messages.upsertMessages([a, b, { ...a, chatId: ALICE }]); // `a` also arrived under the phone chat
    s.chats.upsertChats([{ id: ALICE_LID, name: 'Alice', unreadCount: 2 }]);
    expect(s.counters.get().messages).toBe(3);
    s.identity.link(ALICE_LID, ALICE);
    expect(s.chats.get(ALICE_LID)?.id).toBe(ALICE);
    const page = s.messages.list(ALICE);
    expect(page.items.map((m) => m.body)).toEqual(['hello from lid', 'hello from phone']);
    expect(page.items[0]!.from).toBe(ALICE);
    expect(page.items[0]!.id).toBe(`${ALICE}:${a.keyId}`);
    expect(s.chats.get(ALICE)).toMatchObject({ name: 'Alice', unreadCount: 2 });
    expect(s.counters.get()).toMatchObject({ messages: 2, chats: 1 });
    expect(s.counters.recount()).toMatchObject({ messages: 2, chats: 1 });
    // The moved message is searchable under its new chat.
    expect(s.messages.search('lid', { chatId: '+44 7911 123456' }).hits.map((h) => h.message.id)).toEqual([`${ALICE}:${a.keyId}`]);
    // New messages addressed to the LID land in the phone chat.
    s.messages.upsertMessages([msg(ALICE_LID, 'later', { from: ALICE_LID })]);
    expect(s.messages.list(ALICE).items.at(-1)).toMatchObject({ body: 'later', chatId: ALICE, from: ALICE });
  });

  it('renames a LID-only chat in place', () => {
    const s = t.store;
    s.messages.upsertMessages([msg(ALICE_LID, 'only lid', { from: ALICE_LID })]);
    s.identity.link(ALICE_LID, ALICE);
    expect(s.chats.listChats().items.map((c) => c.id)).toEqual([ALICE]);
    expect(s.messages.get(`${ALICE_LID}:${s.messages.list(ALICE).items[0]!.id.split(':')[1]}`)?.chatId).toBe(ALICE);
  });
});
