/**
 * ChatsService: get_chat_by_contact follows the auto_select_contact setting live; chat pages are answered
 * from memory while the store is unchanged and never after a write (issue #17).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime/index.js';
import { createServices, type Services } from '../../src/services/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { disconnectedGateway } from '../../src/whatsapp/disconnected-gateway.js';
import { idleEngine } from '../../src/runtime/engine.js';
import { startTestApp, eventually } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

let dir: string | undefined;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

it('get_chat_by_contact auto-selects a clear winner only when auto_select_contact is on', () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-mcp-svc-'));
  store = openStore(join(dir, 'store.sqlite'));
  const DAVE = '447700900004@s.whatsapp.net';
  const JR = '447700900014@s.whatsapp.net';
  store.contacts.upsertContacts([
    { id: DAVE, name: 'Dave Dawson' },
    { id: JR, pushname: 'Dave Dawson Jr' },
  ]);
  store.chats.upsertChats([{ id: DAVE }, { id: JR }]);
  const config = loadConfig({ DATA_DIR: dir }, []);
  const runtime = createRuntime({ lifecycle: config.lifecycle, engine: idleEngine, logger: silentLogger() });
  let auto = false;
  const services = createServices({ config, runtime, store, gateway: disconnectedGateway(), logger: silentLogger(), settings: { autoSelectContact: () => auto } });
  try {
    const off = services.chats.byContact('Dave Dawson');
    expect(off.status).toBe('ambiguous');
    expect(off.matches.map((m) => m.id)).toEqual([DAVE, JR]);
    auto = true; // settings apply live
    const on = services.chats.byContact('Dave Dawson');
    expect(on).toMatchObject({ status: 'found', autoSelected: true, chat: { id: DAVE }, contact: { id: DAVE } });
    // Two equally good matches are never auto-selected.
    expect(services.chats.byContact('Dave').status).toBe('ambiguous');
  } finally {
    services.close();
  }
});

function servicesOver(s: Store): Services {
  const config = loadConfig({ DATA_DIR: dir! }, []);
  const runtime = createRuntime({ lifecycle: config.lifecycle, engine: idleEngine, logger: silentLogger() });
  return createServices({ config, runtime, store: s, gateway: disconnectedGateway(), logger: silentLogger() });
}

it('chat pages come from memory while nothing is written, are frozen, and show every write at once', () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-mcp-svc-'));
  const s = (store = openStore(join(dir, 'store.sqlite')));
  const ALICE = '447911123456@s.whatsapp.net';
  const BOB = '14155550123@s.whatsapp.net';
  const GROUP = '120363000000000001@g.us';
  const T = Date.UTC(2025, 0, 10, 9);
  let seq = 0;
  const text = (chatId: string, body: string, from = chatId) => ({ chatId, from, keyId: `K${++seq}`, fromMe: false, timestamp: T + seq * 1000, type: 'text', body });
  s.contacts.upsertContacts([{ id: BOB, pushname: 'Bobby' }]);
  s.messages.upsertMessages([text(ALICE, 'hello'), text(GROUP, 'hi all', BOB)]);
  const services = servicesOver(s);
  /** What a service with nothing cached answers now. */
  const fresh = () => {
    const other = servicesOver(s);
    try {
      return other.chats.list();
    } finally {
      other.close();
    }
  };
  try {
    const first = services.chats.list();
    expect(services.chats.list()).toBe(first);
    expect(services.chats.list({ limit: 1 })).not.toBe(first);
    expect(() => (first.items as unknown[]).push({})).toThrow(TypeError);
    expect(() => Object.assign(first.items[0]!.lastMessage!, { body: 'changed' })).toThrow(TypeError);
    expect(first.items.find((c) => c.id === GROUP)?.lastMessage?.fromName).toBe('Bobby');

    const writes: Array<[string, () => void, (p: Services['chats']) => unknown, unknown]> = [
      ['a new message', () => s.messages.upsertMessages([text(ALICE, 'are you there?')]), (c) => c.list().items[0]?.lastMessage?.body, 'are you there?'],
      // The page names the group message's author from the contacts table, not from chats or messages.
      ['a contact renamed', () => s.contacts.upsertContacts([{ id: BOB, name: 'Robert' }]), (c) => c.list().items.find((x) => x.id === GROUP)?.lastMessage?.fromName, 'Robert'],
      ['a group subject', () => s.groups.upsertGroups([{ id: GROUP, subject: 'Climbing' }]), (c) => c.listGroups().items[0]?.name, 'Climbing'],
      ['an unread count', () => s.chats.setUnread(ALICE, 9), (c) => c.list().items.find((x) => x.id === ALICE)?.unreadCount, 9],
      [
        'a write by another connection',
        () => {
          const other = new Database(s.path);
          other.prepare("UPDATE chats SET name = 'Alice (work)' WHERE jid = ?").run(ALICE);
          other.close();
        },
        (c) => c.list().items.find((x) => x.id === ALICE)?.name,
        'Alice (work)',
      ],
    ];
    for (const [what, write, read, expected] of writes) {
      const before = services.chats.list();
      services.chats.listGroups();
      write();
      expect(read(services.chats), what).toEqual(expected);
      expect(services.chats.list(), what).not.toBe(before);
      expect(services.chats.list(), what).toEqual(fresh());
    }

    // A read inside a transaction is not kept: after the rollback the page is as before it.
    const kept = services.chats.list();
    expect(() =>
      s.db.transaction(() => {
        s.messages.upsertMessages([text(BOB, 'never sent')]);
        expect(services.chats.list().items[0]?.id).toBe(BOB);
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(services.chats.list()).toEqual(kept);
    expect(services.chats.list().items.map((c) => c.id)).not.toContain(BOB);
  } finally {
    services.close();
  }
});

it('chat previews show our own reaction as "you", also for a page first read before our id was known', async () => {
  const engine = scriptedEngine();
  const t = await startTestApp({}, { engine: engine.factory });
  try {
    const ME = '447700900000@s.whatsapp.net';
    const ALICE = '447911123456@s.whatsapp.net';
    const T = Date.UTC(2025, 0, 10, 9);
    const { store, services } = t.app;
    store.messages.upsertMessages([{ chatId: ALICE, from: ALICE, keyId: 'K1', fromMe: false, timestamp: T, type: 'text', body: 'dinner at 8?' }]);
    // What ingest stores for a reaction we sent from the phone once our JID is known: our JID, not "me".
    store.messages.applyReactions([{ chatId: ALICE, targetKeyId: 'K1', from: ME, fromMe: true, emoji: '👍', timestamp: T + 1 }]);
    const reaction = () => services.chats.list().items[0]?.lastMessage?.reactions?.[0];
    expect(reaction()).toMatchObject({ from: ME, fromName: '+447700900000' });
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900000:12@s.whatsapp.net' } });
    await eventually(() => t.app.runtime.getStatus().me);
    expect(reaction()).toMatchObject({ emoji: '👍', from: 'me', fromName: 'you' });
    expect(services.chats.get(ALICE).lastMessage?.reactions?.[0]).toMatchObject({ from: 'me', fromName: 'you' });
  } finally {
    await t.stop();
  }
});
