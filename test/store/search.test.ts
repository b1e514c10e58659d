import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ALICE, ALICE_LID, BOB, GROUP, msg, tempStore, type TempStore } from './helpers.js';

describe('full-text search', () => {
  let t: TempStore;
  const ids: Record<string, string> = {};
  const base = 1_700_000_000_000;
  beforeEach(() => {
    t = tempStore();
    const add = (name: string, chat: string, body: string, over: Parameters<typeof msg>[2] = {}) => {
      const m = msg(chat, body, over);
      t.store.messages.upsertMessages([m]);
      ids[name] = `${t.store.identity.canonical(chat)}:${m.keyId}`;
    };
    add('cafe', ALICE, 'Meet me at the Café de Flore tomorrow', { timestamp: base + 1000 });
    add('privet', BOB, 'Привет, как дела?', { timestamp: base + 2000 });
    add('cjk', GROUP, '我明天去东京都看朋友', { from: ALICE, timestamp: base + 3000 });
    add('emoji', GROUP, 'party🎉tonight at mine', { from: BOB, timestamp: base + 4000 });
    add('caption', ALICE, '', { type: 'image', hasMedia: true, caption: 'Sunset über München', timestamp: base + 5000 });
    add('repeat', BOB, 'coffee coffee coffee and more coffee', { timestamp: base + 6000 });
    add('coffee2', ALICE, 'coffee later?', { timestamp: base + 7000 });
    add('jp', GROUP, '東京タワーに行きました', { from: BOB, timestamp: base + 8000 });
    add('lid', ALICE_LID, 'message from lid coffee', { from: ALICE_LID, timestamp: base + 9000 });
  });
  afterEach(() => t.cleanup());

  const find = (q: string, opts = {}) => t.store.messages.search(q, opts).hits.map((h) => h.message.id);

  it('folds case and diacritics in both directions (recall)', () => {
    expect(find('cafe')).toEqual([ids.cafe]);
    expect(find('CAFÉ')).toEqual([ids.cafe]);
    expect(find('привет')).toEqual([ids.privet]);
    expect(find('ПРИВЕТ')).toEqual([ids.privet]);
    expect(find('uber munchen')).toEqual([ids.caption]);
  });

  it('finds CJK words inside longer runs, and emoji-adjacent words', () => {
    expect(find('东京')).toEqual([ids.cjk]);
    expect(find('东京都')).toEqual([ids.cjk]);
    expect(find('朋友')).toEqual([ids.cjk]);
    expect(find('京').sort()).toEqual([ids.cjk, ids.jp].sort()); // 京 is in both runs
    expect(find('友')).toEqual([ids.cjk]); // single character at the end of a run
    expect(find('タワー')).toEqual([ids.jp]);
    expect(find('京都看')).toEqual([ids.cjk]);
    expect(find('都东')).toEqual([]); // not a substring
    expect(find('party')).toEqual([ids.emoji]);
    expect(find('tonight')).toEqual([ids.emoji]);
  });

  it('supports word-prefix substrings and exact phrases', () => {
    expect(find('caf*')).toEqual([ids.cafe]);
    expect(find('Мюнх*')).toEqual([]);
    expect(find('münch*')).toEqual([ids.caption]);
    expect(find('"de flore"')).toEqual([ids.cafe]);
    expect(find('"flore de"')).toEqual([]);
    expect(find('meet tomorrow')).toEqual([ids.cafe]);
    expect(find('meet nobody')).toEqual([]);
  });

  it('never returns duplicates and ranks by BM25 (term frequency)', () => {
    const hits = t.store.messages.search('coffee').hits;
    expect(hits.map((h) => h.message.id)).toEqual([ids.repeat, ids.coffee2, ids.lid]); // tf 4 ranks first
    expect(new Set(hits.map((h) => h.message.id)).size).toBe(hits.length);
    t.store.messages.upsertMessages([msg(BOB, 'coffee', { keyId: ids.repeat!.split(':')[1]!, timestamp: base + 6000 })]);
    t.store.messages.applyEdit(ids.coffee2!, 'coffee now? coffee!', base + 7500);
    expect(t.store.messages.countMatches('coffee')).toBe(3);
  });

  it('filters by chat, author (any alias) and time range', () => {
    expect(find('coffee', { chatId: '+1 415 555 0123' })).toEqual([ids.repeat]);
    expect(find('coffee', { chatId: ALICE })).toEqual([ids.coffee2]);
    expect(find('coffee', { from: ALICE_LID })).toEqual([ids.lid]);
    t.store.identity.link(ALICE_LID, ALICE);
    // after the link the LID chat is the phone chat, and both authors are one person
    const lidMsg = ids.lid!.replace(ALICE_LID, ALICE);
    expect(find('coffee', { from: ALICE }).sort()).toEqual([ids.coffee2, lidMsg].sort());
    expect(find('coffee', { from: '+44 7911 123456' }).sort()).toEqual([ids.coffee2, lidMsg].sort());
    expect(find('东京', { from: ALICE })).toEqual([ids.cjk]);
    expect(find('东京', { from: BOB })).toEqual([]);
    expect(find('coffee', { since: base + 6500 }).sort()).toEqual([ids.coffee2, lidMsg].sort());
    expect(find('coffee', { until: base + 6000 })).toEqual([ids.repeat]);
    expect(find('coffee', { since: base + 6500, until: base + 7000 })).toEqual([ids.coffee2]);
    expect(find('coffee', { chatId: 'nobody@s.whatsapp.net' })).toEqual([]);
  });

  it('highlights matches in snippets, in the original text', () => {
    const snip = (q: string) => t.store.messages.search(q).hits[0]?.snippet;
    expect(snip('cafe')).toBe('Meet me at the **Café** de Flore tomorrow');
    expect(snip('привет')).toBe('**Привет**, как дела?');
    expect(snip('东京')).toBe('我明天去**东京**都看朋友');
    expect(snip('party')).toBe('**party**🎉tonight at mine');
    const long = `${'lorem ipsum '.repeat(40)}needle ${'dolor sit '.repeat(40)}`;
    t.store.messages.upsertMessages([msg(BOB, long)]);
    const s = snip('needle')!;
    expect(s).toContain('**needle**');
    expect(s.startsWith('…') && s.endsWith('…')).toBe(true);
    expect(s.length).toBeLessThan(220);
  });

  it('treats FTS5 syntax in user input as plain text', () => {
    for (const q of ['"', 'coffee OR', 'NEAR(coffee', 'coffee)', '-coffee', 'text:coffee', '* ^', "it's", '""', 'AND', '🎉']) {
      expect(() => t.store.messages.search(q), q).not.toThrow();
    }
    expect(find('coffee)').length).toBe(3);
    expect(find('🎉')).toEqual([ids.emoji]); // emoji are tokens (issue #13)
  });

  it('reports a truncated candidate window for very frequent words', () => {
    t.store.close();
    t.store = t.reopen({ searchCandidates: 20 });
    const many = Array.from({ length: 60 }, (_, i) => msg(BOB, `common word ${i}`, { timestamp: base + 100_000 + i }));
    t.store.messages.upsertMessages(many);
    const r = t.store.messages.search('common', { limit: 5 });
    expect(r.truncated).toBe(true);
    expect(r.candidates).toBe(20);
    expect(r.hits).toHaveLength(5);
    // all hits come from the 20 newest matches
    expect(Math.min(...r.hits.map((h) => h.message.timestamp))).toBeGreaterThanOrEqual(base + 100_040);
    expect(t.store.messages.search('tomorrow').truncated).toBe(false);
  });
});

describe('ranking window for phrases', () => {
  it('ranks phrases and multi-word queries among half as many newest matches', () => {
    const t = tempStore({ searchCandidates: 40 });
    try {
      const base = 1_700_000_000_000;
      const batch = Array.from({ length: 400 }, (_, i) =>
        msg(BOB, i % 4 === 0 ? `alpha beta number ${i}` : `beta alpha filler ${i}`, { timestamp: base + i * 60_000 }),
      );
      t.store.messages.upsertMessages(batch);
      const r = t.store.messages.search('"alpha beta"', { limit: 5 });
      expect(r.hits).toHaveLength(5);
      expect(r.hits.every((h) => h.message.body.startsWith('alpha beta'))).toBe(true);
      expect(r).toMatchObject({ truncated: true, candidates: 20 });
      // only the 20 newest of the 100 phrase matches were ranked
      expect(Math.min(...r.hits.map((h) => h.message.timestamp))).toBeGreaterThanOrEqual(base + 320 * 60_000);
      expect(t.store.messages.search('alpha', { limit: 5 })).toMatchObject({ truncated: true, candidates: 40 });
      // a larger limit widens the window; counting always sees every match
      expect(t.store.messages.search('"alpha beta"', { limit: 500 }).hits).toHaveLength(100);
      expect(t.store.messages.countMatches('"alpha beta"')).toBe(100);
    } finally {
      t.cleanup();
    }
  });
});

describe('BM25 re-ranking', () => {
  it('weights rare words above common ones and agrees with SQLite bm25() on the order', () => {
    const t = tempStore();
    try {
      const s = t.store;
      const filler = Array.from({ length: 60 }, (_, i) => msg(BOB, `apple pie number ${i}`));
      const common = msg(ALICE, 'zebra apple apple apple');
      const rare = msg(ALICE, 'zebra zebra zebra apple');
      const long = msg(ALICE, `zebra apple ${'word '.repeat(40)}`);
      s.messages.upsertMessages([...filler, common, rare, long]);
      const ours = s.messages.search('zebra apple').hits.map((h) => h.message.id.split(':')[1]);
      expect(ours).toEqual([rare.keyId, common.keyId, long.keyId]);
      const sqlite = (
        s.db
          .prepare(`SELECT m.key_id AS k FROM messages_fts f JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH ? ORDER BY bm25(messages_fts, 1.0, 0.0)`)
          .all('text : ("zebra" AND "apple")') as Array<{ k: string }>
      ).map((r) => r.k);
      expect(ours).toEqual(sqlite);
      const scores = s.messages.search('zebra apple').hits.map((h) => h.score);
      expect([...scores].sort((a, b) => a - b)).toEqual(scores); // lower is better, ascending
    } finally {
      t.cleanup();
    }
  });
});
