/**
 * #14 inbound, HTTP side: the simulator control routes make a contact react, edit, revoke, create a poll and
 * vote, share a location and a contact card, change a group and type — through the real Baileys socket — and
 * refuse malformed bodies with 400 and other methods with 405.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { simAppFixture } from '../helpers/sim-app.js';

const fixture = simAppFixture();

describe('simulator inbound-action routes', () => {
  it('each route reaches the store; bad bodies are refused', async () => {
    const { sim, t, simPost: post } = await fixture.start();
    const idOf = async (r: Response) => {
      expect(r.status).toBe(202);
      return ((await r.json()) as { id: string }).id;
    };
    const alice = sim.contacts[0]!.jid;
    const get = (id: string) => t.app.store.messages.get(`${alice}:${id}`);

    const text = await idOf(await post('deliver', { from: alice, text: 'see you at noon' }));
    await eventually(() => get(text), 10_000);
    await idOf(await post('react', { from: alice, targetId: text, emoji: '👍' }));
    await eventually(() => get(text)?.reactions?.[0]?.emoji === '👍', 10_000);
    await idOf(await post('edit', { from: alice, targetId: text, text: 'see you at one' }));
    await eventually(() => get(text)?.body === 'see you at one', 10_000);
    await idOf(await post('revoke', { from: alice, targetId: text }));
    await eventually(() => get(text)?.revokedAt !== undefined, 10_000);

    const poll = await idOf(await post('poll', { from: alice, question: 'Tea or coffee?', options: ['Tea', 'Coffee'] }));
    await eventually(() => get(poll)?.details?.kind === 'poll', 10_000);
    await idOf(await post('vote', { from: alice, pollId: poll, selected: ['Tea'] }));
    await eventually(() => t.app.store.messages.pollVotes(`${alice}:${poll}`).length === 1, 10_000);

    const loc = await idOf(await post('location', { from: alice, latitude: 40.7128, longitude: -74.006, name: 'NYC' }));
    await eventually(() => get(loc)?.details?.kind === 'location', 10_000);
    const card = await idOf(await post('contact-card', { from: alice, cards: [{ name: 'Zoe', phone: '+15550009999' }] }));
    await eventually(() => get(card)?.details?.kind === 'contact', 10_000);

    const group = sim.groups[0]!.jid;
    expect((await post('group-notice', { group, action: 'subject', subject: 'Renamed', by: alice })).status).toBe(202);
    await eventually(() => t.app.store.messages.list(group).items.some((m) => m.details?.kind === 'notice' && m.details.action === 'subject_changed'), 10_000);

    // Presence reaches only subscribed devices: nobody subscribed yet.
    const typing = await post('presence', { from: alice, state: 'composing' });
    expect(typing.status).toBe(202);
    expect(await typing.json()).toEqual({ delivered: 0 });

    expect((await post('react', { from: alice, emoji: '👍' })).status).toBe(400);
    expect((await post('poll', { question: 'Q', options: ['only one'] })).status).toBe(400);
    expect((await post('location', { latitude: 91, longitude: 0 })).status).toBe(400);
    expect((await post('group-notice', { action: 'add' })).status).toBe(400);
    expect((await post('presence', { state: 'dancing' })).status).toBe(400);
    expect((await t.api('/api/simulator/react')).status).toBe(405);
  }, 60_000);
});
