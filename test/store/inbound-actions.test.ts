/**
 * Issue #14, inbound, at the store: reactions and poll votes attach to their targets (by chat and key id,
 * whatever the arrival order), revokes and "delete for me" leave the search index, and migration 6 turns
 * the standalone reaction rows of earlier versions into reactions on their targets.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, openStore, type MessageInput } from '../../src/store/index.js';
import { ftsMeta } from '../../src/store/fts.js';
import { ALICE, tempDir, tempStore, type TempStore } from './helpers.js';

const BOB = '447700900002@s.whatsapp.net';
const ALICE_LID = '111111111111111@lid';
const T = Date.UTC(2025, 0, 10, 9, 0, 0);

let t: TempStore;
afterEach(() => t?.cleanup());

const text = (keyId: string, ts: number, body: string, from = ALICE, chatId = ALICE): MessageInput => ({ chatId, keyId, from, fromMe: false, timestamp: ts, type: 'text', body });

describe('reactions', () => {
  it('wait for a target that arrives later; newest per person wins; a removal is not undone by an older re-delivery', () => {
    t = tempStore();
    const s = t.store;
    s.messages.applyReactions([{ chatId: ALICE, targetKeyId: 'M1', from: BOB, fromMe: false, emoji: '🎉', timestamp: T + 10 }]);
    s.messages.upsertMessages([text('M1', T, 'party at 8')]);
    expect(s.messages.get(`${ALICE}:M1`)?.reactions).toEqual([{ emoji: '🎉', from: BOB, time: T + 10 }]);

    s.messages.applyReactions([{ chatId: ALICE, targetKeyId: 'M1', from: BOB, fromMe: false, emoji: '', timestamp: T + 20 }]);
    s.messages.applyReactions([{ chatId: ALICE, targetKeyId: 'M1', from: BOB, fromMe: false, emoji: '🎉', timestamp: T + 10 }]);
    expect(s.messages.get(`${ALICE}:M1`)?.reactions).toBeUndefined();

    s.messages.applyReactions([
      { chatId: ALICE, targetKeyId: 'M1', from: ALICE, fromMe: false, emoji: '👍', timestamp: T + 30 },
      { chatId: ALICE, targetKeyId: 'M1', from: null, fromMe: true, emoji: '❤️', timestamp: T + 31 },
    ]);
    expect(s.messages.get(`${ALICE}:M1`)?.reactions?.map((r) => [r.from, r.emoji])).toEqual([
      [ALICE, '👍'],
      ['me', '❤️'],
    ]);
    // Reactions are not messages: no rows, no unread, not the chat's last message.
    expect(s.messages.list(ALICE).items.map((m) => m.id)).toEqual([`${ALICE}:M1`]);
    expect(s.chats.get(ALICE)?.unreadCount).toBe(1);
    expect(s.chats.get(ALICE)?.lastMessage?.reactions).toHaveLength(2);
  });

  it('follow their chat when a LID chat merges into the phone chat', () => {
    t = tempStore();
    const s = t.store;
    s.messages.upsertMessages([text('L1', T, 'from the lid side', ALICE_LID, ALICE_LID), text('P1', T + 1, 'from the phone side')]);
    s.messages.applyReactions([{ chatId: ALICE_LID, targetKeyId: 'L1', from: BOB, fromMe: false, emoji: '👀', timestamp: T + 5 }]);
    s.identity.link(ALICE_LID, ALICE);
    expect(s.messages.get(`${ALICE}:L1`)?.reactions?.[0]?.emoji).toBe('👀');
  });
});

describe('poll votes', () => {
  it('keep each voter\'s newest vote, stored before or after the poll', () => {
    t = tempStore();
    const s = t.store;
    const vote = (ts: number, byte: number) => ({ chatId: ALICE, pollKeyId: 'P1', from: BOB, fromMe: false, timestamp: ts, raw: new Uint8Array([byte]) });
    s.messages.applyPollVotes([vote(T + 20, 2)]);
    s.messages.applyPollVotes([vote(T + 10, 1)]);
    s.messages.upsertMessages([{ ...text('P1', T, 'Lunch?'), type: 'poll', details: { kind: 'poll', question: 'Lunch?', options: ['a', 'b'], multiple: false } }]);
    const votes = s.messages.pollVotes(`${ALICE}:P1`);
    expect(votes).toHaveLength(1);
    expect(votes[0]).toMatchObject({ voter: BOB, timestamp: T + 20 });
    expect([...votes[0]!.raw]).toEqual([2]);
    expect(s.messages.get(`${ALICE}:P1`)?.details).toEqual({ kind: 'poll', question: 'Lunch?', options: ['a', 'b'], multiple: false });
    expect(s.messages.list(ALICE).items).toHaveLength(1);
  });
});

describe('revoke and delete for me', () => {
  it('both leave the search index; only a revoke sets revokedAt', () => {
    t = tempStore();
    const s = t.store;
    s.messages.upsertMessages([text('R1', T, 'the vault code is zebra'), text('D1', T + 1, 'the alarm code is yak')]);
    expect(s.messages.search('zebra').hits).toHaveLength(1);
    expect(s.messages.applyRevoke(`${ALICE}:R1`, T + 100)).toBe(true);
    expect(s.messages.applyDeleteForMe(`${ALICE}:D1`, T + 200)).toBe(true);
    expect(s.messages.search('zebra').hits).toHaveLength(0);
    expect(s.messages.search('yak').hits).toHaveLength(0);
    expect(s.messages.get(`${ALICE}:R1`)).toMatchObject({ revokedAt: T + 100 });
    expect(s.messages.get(`${ALICE}:D1`)).toMatchObject({ deletedAt: T + 200 });
    expect(s.messages.get(`${ALICE}:D1`)?.revokedAt).toBeUndefined();
    // Still listed (flagged) and the previous text kept in the message's history.
    expect(s.messages.list(ALICE).items).toHaveLength(2);
    expect(s.messages.history(`${ALICE}:R1`)).toEqual([{ kind: 'revoke', oldBody: 'the vault code is zebra', at: T + 100 }]);
  });
});

describe('migration 6', () => {
  it('moves standalone reaction rows onto their targets and drops revoked text from the index', () => {
    const d = tempDir();
    try {
      const path = join(d.dir, 'store.sqlite');
      const db = openDatabase(path, { targetVersion: 5 });
      db.prepare(`INSERT INTO chats (id, jid, name, last_ts, last_message_id) VALUES (1, ?, 'Alice', ?, ?)`).run(ALICE, T + 2000, (T + 2000) * 1024);
      const put = db.prepare('INSERT INTO messages (id, chat_id, key_id, sender, from_me, ts, type, body, quoted_id, revoked_at) VALUES (?, 1, ?, ?, 0, ?, ?, ?, ?, ?)');
      const fts = db.prepare('INSERT INTO messages_fts (rowid, text, meta) VALUES (?, ?, ?)');
      const rows: Array<[number, string, string, number, string, string, string | null, number | null]> = [
        [T * 1024, 'TXT', ALICE, T, 'text', 'walk the dog', null, null],
        [(T + 1000) * 1024, 'GONE', ALICE, T + 1000, 'text', 'secret walrus', null, T + 1500],
        [(T + 2000) * 1024, 'RX', BOB, T + 2000, 'reaction', '🐕', `${ALICE}:TXT`, null],
      ];
      for (const r of rows) {
        put.run(...r);
        fts.run(r[0], r[5], ftsMeta(1, r[2]));
        db.prepare('INSERT INTO message_keys (hash, id) VALUES (?, ?)').run(r[0] % 1000, r[0]);
      }
      db.prepare(`UPDATE counters SET value = 3 WHERE name = 'messages'`).run();
      db.close();

      const s = openStore(path);
      try {
        expect(s.messages.list(ALICE).items.map((m) => m.body)).toEqual(['walk the dog', 'secret walrus']);
        expect(s.messages.list(ALICE).items[0]?.reactions).toEqual([{ emoji: '🐕', from: BOB, time: T + 2000 }]);
        expect(s.chats.get(ALICE)?.lastMessage?.body).toBe('secret walrus');
        expect(s.counters.get().messages).toBe(2);
        expect(s.messages.search('walrus').hits).toHaveLength(0);
        expect(s.messages.search('dog').hits).toHaveLength(1);
      } finally {
        s.close();
      }
    } finally {
      d.cleanup();
    }
  });
});
