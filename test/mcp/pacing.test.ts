/**
 * Issue #15, pacing against the simulator with a fake clock: a burst of 30 first messages to new
 * recipients goes out spaced by the configured limits (5 a minute, 20 new chats a day), each delivered
 * once; `wait: false` refuses instead of queueing; approve_new_recipients holds only new chats; an
 * unapproved send expires. Times are the gate's (fake) clock, never wall time.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { callOk, smallSimulatorSuite } from './helpers.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const clock = new FakeClock();
const suite = smallSimulatorSuite(
  { contacts: 31, history: false },
  {
    env: {
      SEND_PACING: '1',
      SEND_PACE_TYPING: '0',
      SEND_PACE_JITTER_MS: '0',
      SEND_PACE_PER_MINUTE: '5',
      SEND_PACE_PER_HOUR: '100',
      SEND_PACE_NEW_RECIPIENTS_PER_DAY: '20',
      SEND_PACE_CHAT_INTERVAL_S: '10',
    },
    app: { clock },
  },
);

/** Distinct messages each contact received (WhatsApp keeps one message per id). */
const received = (jid: string) => new Set(suite.sim.sent.filter((m) => m.to === jid).map((m) => m.id)).size;
const totalReceived = (jids: string[]) => jids.reduce((n, j) => n + received(j), 0);

it('a burst of 30 to new recipients is spaced by the limits, each delivered once', async () => {
  const t0 = clock.now();
  const targets = suite.sim.contacts.slice(0, 30).map((c) => c.jid);
  const results: Array<{ status?: string; scheduledAt?: string; messageId?: string }> = [];
  for (const [i, jid] of targets.entries()) results.push(await callOk(suite.client, 'send_message', { recipient_jid: jid, message: `hello #${i}` }));

  // 5 go out at once; the rest are queued at the slots the limits allow.
  expect(results.slice(0, 5).every((r) => r.status === undefined && r.messageId)).toBe(true);
  const slots = results.slice(5).map((r) => Date.parse(r.scheduledAt!) - t0);
  expect(results.slice(5).every((r) => r.status === 'queued')).toBe(true);
  expect(slots).toEqual([
    ...Array(5).fill(MINUTE),
    ...Array(5).fill(2 * MINUTE),
    ...Array(5).fill(3 * MINUTE),
    ...Array(5).fill(DAY),
    ...Array(5).fill(DAY + MINUTE),
  ]);
  await eventually(() => totalReceived(targets) === 5, 10_000);

  // Over the limit with wait: false: refused with when to retry, nothing queued.
  const refused = (await suite.client.callTool({ name: 'send_message', arguments: { recipient_jid: targets[0], message: 'now or never', wait: false } })) as CallToolResult;
  expect(refused.isError).toBe(true);
  expect(refused._meta).toMatchObject({ code: 'rate_limited', retryable: true });
  expect(Number(refused._meta?.retryAfterMs)).toBeGreaterThan(DAY);

  // Time moves a minute at a time, each step's deliveries finishing before the next (as real time would).
  for (const [step, expected] of [[MINUTE, 10], [MINUTE, 15], [MINUTE, 20]] as const) {
    clock.advance(step);
    await eventually(() => totalReceived(targets) === expected, 15_000);
  }
  // The daily cap on new chats holds the rest for a day.
  clock.advance(DAY - 4 * MINUTE);
  await new Promise((r) => setTimeout(r, 200));
  expect(totalReceived(targets)).toBe(20);
  clock.advance(MINUTE);
  await eventually(() => totalReceived(targets) === 25, 15_000);
  clock.advance(MINUTE);
  await eventually(() => totalReceived(targets) === 30, 15_000);
  for (const jid of targets) expect(received(jid)).toBe(1);

  // The recorded delivery times (the gate's clock) respect every limit.
  const sent = suite.t.app.safety.auditPage(0, 1000).filter((l) => l.tool === 'send_message' && l.result === 'sent').map((l) => l.at - t0);
  expect(sent).toHaveLength(30);
  for (const at of sent) {
    expect(sent.filter((x) => x > at - MINUTE && x <= at).length).toBeLessThanOrEqual(5);
    expect(sent.filter((x) => x > at - DAY && x <= at).length).toBeLessThanOrEqual(20);
  }
}, 90_000);

it('one chat: the minimum interval spaces two messages; typing shows before a text for a time proportional to it', async () => {
  const r = await suite.t.api('/api/settings', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ pace_per_minute: 0, pace_per_hour: 0, pace_new_recipients_per_day: 0, pace_chat_interval_s: 10, pace_typing: true }),
  });
  expect(r.status).toBe(200);
  const jid = suite.sim.contacts[0]!.jid;
  const seen: Array<{ state: string; to?: string; order: number }> = [];
  let order = 0;
  suite.sim.on('client-presence', (p: { tag: string; state: string; to?: string }) => {
    if (p.tag === 'chatstate' && p.to === jid) seen.push({ state: p.state, to: p.to, order: order++ });
  });
  // The interval since the burst's message to this chat has long passed (the clock moved a day).
  const before = received(jid);
  const call = callOk<{ messageId?: string; status?: string }>(suite.client, 'send_message', { recipient_jid: jid, message: 'typed by a careful human' });
  await eventually(() => seen.some((p) => p.state === 'composing'), 10_000);
  expect(received(jid)).toBe(before); // still typing: 400 ms + 40 ms per character on the gate's clock
  clock.advance(400 + 40 * 'typed by a careful human'.length);
  const first = await call;
  expect(first.messageId).toBeDefined();
  await eventually(() => received(jid) === before + 1, 10_000);
  expect(seen.map((p) => p.state)).toEqual(['composing', 'paused']);

  const second = await callOk<{ status: string; scheduledAt: string }>(suite.client, 'send_message', { recipient_jid: jid, message: 'and again', wait: true });
  expect(second.status).toBe('queued');
  expect(Math.abs(Date.parse(second.scheduledAt) - (clock.now() + 10_000 - (400 + 40 * 'typed by a careful human'.length)))).toBeLessThan(1000);
  clock.advance(10_000);
  await eventually(() => seen.filter((p) => p.state === 'composing').length === 2, 10_000);
  clock.advance(400 + 40 * 'and again'.length);
  await eventually(() => received(jid) === before + 2, 10_000);
}, 30_000);

it('approve_new_recipients holds only first messages to new chats; an unapproved send expires', async () => {
  const r = await suite.t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ approve_new_recipients: true, pacing_enabled: false }) });
  expect(r.status).toBe(200);
  const known = suite.sim.contacts[0]!.jid;
  const fresh = suite.sim.contacts[30]!.jid;
  const toKnown = await callOk<{ status?: string; messageId?: string }>(suite.client, 'send_message', { recipient_jid: known, message: 'again' });
  expect(toKnown.status).toBeUndefined();
  const held = await callOk<{ status: string; sendId: string; reason: string; expiresAt: string }>(suite.client, 'send_message', { recipient_jid: fresh, message: 'nice to meet you' });
  expect(held).toMatchObject({ status: 'pending_approval', reason: expect.stringContaining('never written to') });
  expect(Math.abs(Date.parse(held.expiresAt) - (clock.now() + 24 * 3_600_000))).toBeLessThan(1000); // ISO times have whole seconds

  clock.advance(24 * 3_600_000);
  const status = await callOk<{ status: string; error: string }>(suite.client, 'get_send_status', { send_id: held.sendId });
  expect(status).toMatchObject({ status: 'expired', error: 'nobody approved it in time' });
  expect((await suite.t.api(`/api/sends/${held.sendId}/approve`, { method: 'POST' })).status).toBe(409);
  expect(received(fresh)).toBe(0);
  expect(suite.t.app.safety.auditPage(0, 1000).filter((l) => l.sendId === held.sendId).map((l) => l.decision)).toEqual(['pending', 'expired']);
}, 30_000);
