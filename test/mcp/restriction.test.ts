/**
 * Issue #15: WhatsApp's own refusals, end to end. The simulator answers a send with `<ack error="463">`
 * (reachout timelock) the way WhatsApp does; the real Baileys socket reports it, and the supervisor keeps
 * the restriction: check_auth_status, /healthz and /metrics say so, nothing reached the contact, and our
 * send path holds what WhatsApp would refuse (first messages to new chats; everything under 429).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { callOk, simulatorSuite } from './helpers.js';

const suite = simulatorSuite();

interface Status {
  state: string;
  restriction: { kind: string; until: number | null; detail: string } | null;
  health: { ok: boolean; reason: string | null };
}

it('a send refused with 463 becomes a visible account restriction; 429 is a rate limit', async () => {
  const sim = suite.t.app.simulator!;
  const contact = sim.contacts[1]!;
  expect((await callOk<Status>(suite.client, 'check_auth_status')).restriction).toBeNull();

  const refused: string[] = [];
  sim.on('send-refused', (e: { id: string }) => refused.push(e.id));
  sim.injectFault({ kind: 'refuse-sends', code: 463, count: 1 });
  const before = Date.now();
  const sent = await callOk<{ messageId: string }>(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'hello, new friend' });
  await eventually(() => refused.length === 1, 10_000);

  await eventually(async () => (await callOk<Status>(suite.client, 'check_auth_status')).restriction !== null, 10_000);
  const status = await callOk<Status>(suite.client, 'check_auth_status');
  expect(status.state).toBe('open');
  expect(status.restriction).toMatchObject({ kind: 'reachout_timelock', detail: 'ack error 463' });
  expect(status.restriction!.until).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
  expect(status.health).toMatchObject({ ok: true, reason: expect.stringContaining('463 reachout timelock') });
  const health = (await (await fetch(`${suite.t.url}/healthz`)).json()) as Status['health'];
  expect(health.reason).toContain('463 reachout timelock');
  expect(await (await suite.t.api('/metrics')).text()).toContain('wa_account_restricted{kind="reachout_timelock"} 1');
  // WhatsApp delivered it to nobody, and the stored message says it failed.
  expect(sim.sent.filter((m) => sent.messageId.endsWith(m.id))).toEqual([]);
  await eventually(async () => (await callOk<{ message: { status?: string } }>(suite.client, 'get_message_by_id', { message_id: sent.messageId })).message.status === 'error', 10_000);

  // While it holds, a first message to a chat with no history is refused by us (retrying would count as
  // another reach-out), retryable at the restriction's end; nothing is stored for that chat.
  const stranger = '+44 7700 900999';
  const refusedByUs = (await suite.client.callTool({ name: 'send_message', arguments: { recipient_jid: stranger, message: 'hi stranger' } })) as CallToolResult;
  expect(refusedByUs.isError).toBe(true);
  expect(JSON.stringify(refusedByUs.content)).toMatch(/463 reachout timelock.*no history yet/);
  expect(refusedByUs._meta).toMatchObject({ code: 'rate_limited', retryable: true });
  expect(Number(refusedByUs._meta?.retryAfterMs)).toBeGreaterThan(23 * 3_600_000);
  expect(suite.t.app.store.messages.list('447700900999@s.whatsapp.net').items).toEqual([]);
  // The action tools that open a chat follow the same rule.
  const pin = (await suite.client.callTool({ name: 'send_location', arguments: { recipient_jid: stranger, latitude: 51.5, longitude: -0.12 } })) as CallToolResult;
  expect(pin._meta).toMatchObject({ code: 'rate_limited', retryable: true });

  // A reply in an existing chat still goes out; WhatsApp now answers it with 429 (rate overlimit)…
  sim.injectFault({ kind: 'refuse-sends', code: 429, count: 1 });
  await callOk(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'second try' });
  await eventually(async () => (await callOk<Status>(suite.client, 'check_auth_status')).restriction?.kind === 'rate_overlimit', 10_000);
  // …which holds every send until it ends.
  const held = (await suite.client.callTool({ name: 'send_message', arguments: { recipient_jid: contact.jid, message: 'third try' } })) as CallToolResult;
  expect(held._meta).toMatchObject({ code: 'rate_limited', retryable: true });
  expect(Number(held._meta?.retryAfterMs)).toBeLessThanOrEqual(600_000);
  // When it is over, sends flow again and reach the contact.
  suite.t.app.runtime.report({ type: 'ACCOUNT.UNRESTRICTED' });
  const delivered = await callOk<{ messageId: string }>(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'fourth try' });
  await eventually(() => sim.sent.some((m) => delivered.messageId.endsWith(m.id)), 10_000);
}, 60_000);
