/**
 * #16 item 6, server side: the simulator routes reach everything the simulator supports, against the real
 * Baileys socket — a stream error with any code closes with that code, a login failure with its code, and
 * media (a generated sample) and group messages from a chosen contact land in the store.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { isState, simAppFixture, waitState } from '../helpers/sim-app.js';

const fixture = simAppFixture();

describe('simulator routes', () => {
  it('stream-error with code 503, media and group deliveries, marking a chat read, bad bodies refused', async () => {
    const { t, simPost: post } = await fixture.start();

    const list = (await (await t.api('/api/simulator/contacts')).json()) as { contacts: { jid: string }[]; groups: { jid: string; subject: string }[] };
    expect(list.groups.length).toBeGreaterThan(0);
    const bob = list.contacts[1]!.jid;

    expect((await post('fault', { kind: 'stream-error', code: 503 })).status).toBe(202);
    await eventually(() => t.app.runtime.getStatus().lastDisconnect?.code === 503, 10_000);
    await waitState(t, isState('open'));

    const media = await post('deliver-media', { from: bob, kind: 'image', caption: 'a sample photo' });
    expect(media.status).toBe(202);
    const { id } = (await media.json()) as { id: string };
    const stored = await eventually(() => t.app.store.messages.list(bob).items.find((m) => m.id.endsWith(id)), 10_000);
    expect(stored?.hasMedia).toBe(true);
    expect(stored?.body).toBe('a sample photo');

    const group = list.groups[0]!.jid;
    const g = await post('deliver-group', { group, from: bob, text: 'hello group' });
    expect(g.status).toBe(202);
    await eventually(() => t.app.store.messages.list(group).items.some((m) => m.body === 'hello group' && m.from === bob), 10_000);

    // Opening a chat in the admin UI marks it read through the read-receipt path.
    const read = await t.api(`/api/chats/${encodeURIComponent(bob)}/read`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(read.status).toBe(200);
    const readBody = (await read.json()) as { receipts: number; unreadCount: number };
    expect(readBody.receipts).toBeGreaterThan(0);
    expect(readBody.unreadCount).toBe(0);
    expect(t.app.store.chats.get(bob)?.unreadCount).toBe(0);

    expect((await post('deliver-media', { kind: 'video' })).status).toBe(400);
    expect((await post('deliver-media', { kind: 'image', dataBase64: 'AAAA' })).status).toBe(400);
    expect((await post('fault', { kind: 'close', extra: 1 })).status).toBe(400);
  }, 60_000);
});
