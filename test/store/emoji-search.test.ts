/** Emoji are searchable tokens (issue #13): alone, mixed with words, skin tones, ZWJ sequences, flags; migration 8. */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase, openStore } from '../../src/store/index.js';
import { ftsMeta } from '../../src/store/fts.js';
import { ftsText, hasEmoji, highlight, parseQuery } from '../../src/store/text.js';
import { ALICE, BOB, tempDbPerTest, tempStore, type TempStore } from './helpers.js';

const T = Date.UTC(2025, 2, 1, 12, 0, 0);
const BODIES: Record<string, string> = {
  party: 'party🎉tonight at mine',
  tada: '🎉',
  thumbTone: 'sounds good 👍🏽',
  thumb: '👍',
  coder: 'the 👩‍💻 is on it',
  woman: 'ask 👩 tomorrow',
  laptop: 'my 💻 broke',
  france: 'trip 🇫🇷 soon',
  germany: 'trip 🇩🇪 later',
  heartVs: 'love you ❤️',
  heartText: 'love ❤ too',
  plain: 'party without pictures',
  emotion: 'such emotion',
  family: 'family photo 👨‍👩‍👧 and 🏃‍♀️ run',
  runner: 'a 🏃 run',
  pair: 'two apart: 👩💻 side by side',
};

describe('emoji search', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
    t.store.messages.upsertMessages(
      Object.entries(BODIES).map(([keyId, body], i) => ({ chatId: i % 2 ? ALICE : BOB, keyId, fromMe: false, timestamp: T + i * 1000, type: 'text', body })),
    );
  });
  afterEach(() => t.cleanup());

  const ids = (q: string) => t.store.messages.search(q).hits.map((h) => h.message.id.split(':')[1]).sort();

  it('an emoji alone finds every message with it, glued to words or not', () => {
    expect(ids('🎉')).toEqual(['party', 'tada']);
    // The words around it are still their own tokens (recall of words unchanged).
    expect(ids('party')).toEqual(['party', 'plain']);
    expect(ids('tonight')).toEqual(['party']);
  });

  it('mixed with words: each emoji is ANDed like a word, glued or not', () => {
    expect(ids('party 🎉')).toEqual(['party']);
    expect(ids('🎉 tonight')).toEqual(['party']);
    expect(ids('party🎉tonight')).toEqual(['party']);
    expect(ids('party🎉')).toEqual(['party']);
    // A phrase of words across an emoji still matches (the emoji is a separator between the words).
    expect(ids('"party tonight"')).toEqual(['party']);
    expect(ids('"party 🎉 tonight"')).toEqual(['party']);
    expect(ids('🎉 OR 🇫🇷')).toEqual(['france', 'party', 'tada']);
    expect(ids('party -🎉')).toEqual(['plain']);
    expect(ids('trip -🇩🇪')).toEqual(['france']);
  });

  it('skin tones and variation selectors fold to the base emoji', () => {
    expect(ids('👍')).toEqual(['thumb', 'thumbTone']);
    expect(ids('👍🏿')).toEqual(['thumb', 'thumbTone']);
    expect(ids('❤')).toEqual(['heartText', 'heartVs']);
    expect(ids('❤️')).toEqual(['heartText', 'heartVs']);
  });

  it('ZWJ sequences: the whole sequence is a phrase of its parts, each part alone finds it', () => {
    // Two emoji side by side without the joiner are not the sequence.
    expect(ids('👩‍💻')).toEqual(['coder']);
    expect(ids('💻')).toEqual(['coder', 'laptop', 'pair']);
    expect(ids('👩')).toEqual(['coder', 'family', 'pair', 'woman']);
    expect(ids('👨‍👩‍👧')).toEqual(['family']);
    expect(ids('🏃‍♀️')).toEqual(['family']);
    expect(ids('🏃')).toEqual(['family', 'runner']);
  });

  it('flags are one token each', () => {
    expect(ids('🇫🇷')).toEqual(['france']);
    expect(ids('🇩🇪')).toEqual(['germany']);
    expect(ids('trip')).toEqual(['france', 'germany']);
  });

  it('a word prefix never matches emoji', () => {
    expect(ids('emo*')).toEqual(['emotion']);
  });

  it('snippets highlight the emoji in the original text (whole sequence, tone kept)', () => {
    const snip = (q: string, id: string) => t.store.messages.search(q).hits.find((h) => h.message.id.endsWith(`:${id}`))?.snippet;
    expect(snip('🎉', 'party')).toBe('party**🎉**tonight at mine');
    expect(snip('👍', 'thumbTone')).toBe('sounds good **👍🏽**');
    expect(snip('💻', 'coder')).toBe('the **👩‍💻** is on it');
    expect(snip('🇫🇷 trip', 'france')).toBe('**trip** **🇫🇷** soon');
  });

  it('ranks a message with the emoji twice above one with it once', () => {
    t.store.messages.upsertMessages([{ chatId: ALICE, keyId: 'twice', fromMe: false, timestamp: T - 1000, type: 'text', body: '🎉 yes 🎉' }]);
    const hits = t.store.messages.search('🎉').hits.map((h) => h.message.id.split(':')[1]);
    expect(hits.indexOf('twice')).toBeLessThan(hits.indexOf('party'));
  });

  it('list_messages query and counts use the same tokens', () => {
    expect(t.store.messages.list(BOB, { query: '🎉' }).items.map((m) => m.body)).toEqual(['party🎉tonight at mine']);
    expect(t.store.messages.list(ALICE, { query: '🎉' }).items.map((m) => m.body)).toEqual(['🎉']);
    expect(t.store.messages.countMatches('👍')).toBe(2);
  });
});

describe('emoji text rules', () => {
  it('index form: words as before, one private-use token per emoji part appended', () => {
    expect(ftsText('no emoji here', null)).toBe('no emoji here');
    const t = ftsText('party🎉tonight 👍🏽', null);
    expect(t.split('\n')[0]).toBe('party tonight  ');
    // 🎉, the gap between two emoji, 👍 (the tone dropped).
    expect(t.split('\n')[1]!.trim().split(' ')).toHaveLength(3);
    // Two parts for a ZWJ sequence, one for a flag.
    expect(t === ftsText('party🎉tonight 👍', null)).toBe(true);
    expect(ftsText('👩‍💻', null).trim().split(' ')).toHaveLength(2);
    expect(ftsText('🇫🇷', null).trim().split(' ')).toHaveLength(1);
  });

  it('keycaps and text symbols without emoji are left to unicode61', () => {
    expect(hasEmoji('1️⃣ first')).toBe(false);
    expect(parseQuery('1️⃣').match).not.toBeNull();
    expect(hasEmoji('price €5 → now')).toBe(false);
    expect(hasEmoji('ok 👍')).toBe(true);
  });

  it('checking for emoji does not disturb the next highlight (no shared regex state)', () => {
    const terms = parseQuery('🎉').terms;
    for (let i = 0; i < 3; i++) {
      expect(hasEmoji('xx 🎉 yy 🎉')).toBe(true);
      expect(highlight('🎉 first', terms)).toBe('**🎉** first');
    }
  });
});

describe('migration 8: a version-7 index gets its emoji', () => {
  const tmp = tempDbPerTest();

  it('re-indexes emoji messages across several batches; others keep their rows', () => {
    // Written with plain SQL as the version-7 code did: the FTS text is the body as it was (emoji
    // included, which unicode61 dropped as separators).
    const db = openDatabase(tmp.path, { targetVersion: 7 });
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    db.prepare(`INSERT INTO chats (jid, name, last_ts) VALUES (?, 'Alice', ?)`).run(ALICE, T + 20_000_000);
    const chatId = (db.prepare('SELECT id FROM chats WHERE jid = ?').get(ALICE) as { id: number }).id;
    const insMsg = db.prepare(`INSERT INTO messages (id, chat_id, key_id, sender, from_me, ts, type, body, caption) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`);
    const insFts = db.prepare('INSERT INTO messages_fts (rowid, text, meta) VALUES (?, ?, ?)');
    const N = 12_000; // more than two migration batches of 5,000
    db.transaction(() => {
      for (let i = 0; i < N; i++) {
        const ts = T + i * 1000;
        const id = ts * 1024;
        const emoji = i % 1000 === 7;
        const media = i % 3000 === 11;
        const body = media ? null : emoji ? `party🎉number ${i}` : `plain words ${i}`;
        const caption = media ? 'holiday ☀️ pic' : null;
        insMsg.run(id, chatId, `K${i}`, ALICE, ts, media ? 'image' : 'text', body, caption);
        insFts.run(id, body ?? caption ?? '', ftsMeta(chatId, ALICE));
      }
    })();
    db.prepare(`UPDATE counters SET value = ? WHERE name = 'messages'`).run(N);
    db.close();

    const before = openDatabase(tmp.path, { targetVersion: 7 });
    const matches = (q: string) => (before.prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?').get(q) as { n: number }).n;
    expect(matches('party')).toBe(12);
    before.close();

    const s = openStore(tmp.path);
    try {
      expect(s.schemaVersion()).toBeGreaterThanOrEqual(8);
      expect(s.messages.countMatches('🎉')).toBe(12);
      expect(s.messages.countMatches('party 🎉')).toBe(12);
      expect(s.messages.countMatches('☀')).toBe(4);
      expect(s.messages.countMatches('holiday ☀️')).toBe(4);
      // Rows without emoji were left as they were, and no row was duplicated or lost.
      expect(s.messages.countMatches('plain')).toBe(N - 12 - 4);
      expect(s.messages.countMatches('party')).toBe(12);
      expect(s.messages.countMatches(`"number 11007"`)).toBe(1);
      expect(s.messages.search('🎉', { chatId: ALICE, limit: 50 }).hits).toHaveLength(12);
      expect(s.messages.search('🎉', { from: BOB }).hits).toHaveLength(0);
      expect((s.db.prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?').get(`meta : "c${chatId}"`) as { n: number }).n).toBe(N);
    } finally {
      s.close();
    }
  });
});
