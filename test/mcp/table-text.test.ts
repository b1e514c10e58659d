import { describe, expect, it } from 'vitest';

import { tableText, tabulate } from '../../src/mcp/tools/table-text.js';
import { untabulate } from './helpers.js';

describe('tool text blocks: lists as tables', () => {
  const page = {
    chatId: 'g1@g.us',
    messages: [
      { id: 'A', time: '2026-12-03T05:00:00+01:00', fromMe: false, from: 'x@s.whatsapp.net', body: 'hi' },
      { id: 'B', time: '2026-12-03T05:01:00+01:00', fromMe: true, body: 'yo', status: 'read', reactions: [{ emoji: '👍', from: 'x' }, { emoji: '🎉', from: 'y' }] },
    ],
    tags: ['a', 'b'],
    one: [{ only: 1 }],
  };

  it('writes a list of objects as columns (union of keys, first-seen order) and rows, null where a row lacks a field', () => {
    const t = tabulate(page) as { messages: { columns: string[]; rows: unknown[][] } };
    expect(t.messages.columns).toEqual(['id', 'time', 'fromMe', 'from', 'body', 'status', 'reactions']);
    expect(t.messages.rows[0]).toEqual(['A', '2026-12-03T05:00:00+01:00', false, 'x@s.whatsapp.net', 'hi', null, null]);
    // Nested lists of objects become tables too.
    expect(t.messages.rows[1]![6]).toEqual({ columns: ['emoji', 'from'], rows: [['👍', 'x'], ['🎉', 'y']] });
  });

  it('keeps lists of scalars and single-object lists as they are, and the input untouched', () => {
    const t = tabulate(page) as Record<string, unknown>;
    expect(t.tags).toEqual(['a', 'b']);
    expect(t.one).toEqual([{ only: 1 }]);
    expect(page.messages[0]).toHaveProperty('body', 'hi');
  });

  it('finds lists of objects inside single-object lists and plain objects, without changing the input', () => {
    const input = { one: [{ group: { members: [{ n: 1 }, { n: 2 }] } }], same: { a: 1, b: [1, 2] } };
    const before = JSON.stringify(input);
    const t = tabulate(input) as { one: Array<{ group: { members: unknown } }>; same: unknown };
    expect(t.one[0]!.group.members).toEqual({ columns: ['n'], rows: [[1], [2]] });
    expect(JSON.stringify(input)).toBe(before);
    // Nothing to turn into a table: the value itself, not a copy.
    expect(t.same).toBe(input.same);
  });

  it('carries exactly the same data (round trip) and is shorter than the plain JSON', () => {
    const text = tableText(page);
    const back = untabulate(JSON.parse(text)) as typeof page;
    expect(back.messages[1]).toMatchObject(page.messages[1]!);
    expect(back.messages[0]).toEqual({ ...page.messages[0], status: null, reactions: null });
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: `K${i}`, time: '2026-12-03T05:00:00Z', timestamp: 1764738000000 + i, fromMe: i % 2 === 0, body: `message ${i}` }));
    expect(tableText({ messages: rows }).length).toBeLessThan(0.75 * JSON.stringify({ messages: rows }).length);
  });
});
