import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ALICE, ALICE_LID, BOB, tempStore, type TempStore } from './helpers.js';

describe('contacts', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
    t.store.contacts.upsertContacts([
      { id: ALICE, name: 'Alice Smith', pushname: 'ali' },
      { id: BOB, pushname: 'Bobby Tables' },
      { id: '4915112345678@s.whatsapp.net', name: 'Jürgen Müller' },
      { id: '33612345678@s.whatsapp.net', pushname: 'Zoë', verifiedName: 'Zoë Bakery' },
      { id: '79161234567@s.whatsapp.net', name: 'Алексей Иванов' },
    ]);
  });
  afterEach(() => t.cleanup());

  it('never downgrades names', () => {
    const s = t.store;
    s.contacts.upsertContacts([{ id: ALICE, name: '', pushname: ALICE }, { id: ALICE, name: '447911123456', pushname: '  ' }]);
    expect(s.contacts.get(ALICE)).toMatchObject({ name: 'Alice Smith', pushname: 'ali', isMyContact: true });
    expect(s.contacts.get(BOB)).toMatchObject({ name: null, pushname: 'Bobby Tables', isMyContact: false, number: '14155550123' });
  });

  it('resolves by JID, LID and phone number formats with score 1', () => {
    const s = t.store;
    s.identity.link(ALICE_LID, ALICE);
    for (const q of ['+44 7911 123456', '447911123456', ALICE, ALICE_LID]) {
      const [best] = s.contacts.resolve(q);
      expect(best, q).toMatchObject({ id: ALICE, score: 1 });
    }
    expect(s.contacts.resolve('+44 7911 123456')[0]!.matchedBy).toBe('phone');
    expect(s.contacts.resolve(ALICE_LID)[0]!.matchedBy).toBe('lid');
    expect(s.contacts.get('nobody')).toBeNull();
  });

  it('scores name matches over all contacts, accent- and case-insensitively', () => {
    const s = t.store;
    const r = s.contacts.resolve('juergen muller');
    // "ue" is not "ü" literally; since #13 the typo-tolerant pass finds it, scored below any literal match.
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ name: 'Jürgen Müller', matchedBy: 'name' });
    expect(r[0]!.score).toBeLessThan(s.contacts.resolve('muller')[0]!.score);
    expect(s.contacts.resolve('jurgen')[0]).toMatchObject({ name: 'Jürgen Müller', matchedBy: 'name' });
    expect(s.contacts.resolve('MÜLLER')[0]).toMatchObject({ name: 'Jürgen Müller' });
    expect(s.contacts.resolve('алексей')[0]).toMatchObject({ name: 'Алексей Иванов', matchedBy: 'name' });
    expect(s.contacts.resolve('zoe bakery')[0]).toMatchObject({ pushname: 'Zoë', matchedBy: 'verifiedName' });
    expect(s.contacts.resolve('bobby')[0]).toMatchObject({ id: BOB, matchedBy: 'pushname' });
    const exact = s.contacts.resolve('alice smith')[0]!;
    const prefix = s.contacts.resolve('alice')[0]!;
    const inner = s.contacts.resolve('smith')[0]!;
    expect(exact.score).toBeGreaterThan(prefix.score);
    expect(prefix.score).toBeGreaterThan(inner.score);
    expect(s.contacts.resolve('7911')[0]).toMatchObject({ id: ALICE, matchedBy: 'phone' });
  });

  it('searches all contacts, not only the first page of rows', () => {
    const s = t.store;
    s.contacts.upsertContacts(Array.from({ length: 3000 }, (_, i) => ({ id: `4470000${String(i).padStart(5, '0')}@s.whatsapp.net`, name: `Filler ${i}` })));
    s.contacts.upsertContacts([{ id: '4470009999999@s.whatsapp.net', name: 'Needle Person' }]);
    expect(s.contacts.search('needle').map((c) => c.name)).toEqual(['Needle Person']);
    expect(s.contacts.search('filler', 50)).toHaveLength(50);
    expect(s.contacts.resolve('filler 2999', 1)[0]!.name).toBe('Filler 2999');
    expect(s.counters.get().contacts).toBe(3006);
  });
});
