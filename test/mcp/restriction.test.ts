/**
 * Issue #15: WhatsApp's own refusals, end to end. The simulator answers a send with `<ack error="463">`
 * (reachout timelock) the way WhatsApp does; the real Baileys socket reports it, and the supervisor keeps
 * the restriction: check_auth_status, /healthz and /metrics say so, and nothing reached the contact.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { callOk, connectClient, startMcpApp, type McpTestApp } from './helpers.js';

let t: McpTestApp;
let client: Client;
beforeAll(async () => {
  t = await startMcpApp({ simulator: true, env: { WA_SIMULATOR: '1' } });
  await t.app.runtime.waitFor((s) => s.state === 'open', 25_000);
  client = await connectClient(t.url);
}, 40_000);
afterAll(async () => {
  await client?.close();
  await t?.stop();
});

interface Status {
  state: string;
  restriction: { kind: string; until: number | null; detail: string } | null;
  health: { ok: boolean; reason: string | null };
}

it('a send refused with 463 becomes a visible account restriction; 429 is a rate limit', async () => {
  const sim = t.app.simulator!;
  const contact = sim.contacts[1]!;
  expect((await callOk<Status>(client, 'check_auth_status')).restriction).toBeNull();

  const refused: string[] = [];
  sim.on('send-refused', (e: { id: string }) => refused.push(e.id));
  sim.injectFault({ kind: 'refuse-sends', code: 463, count: 1 });
  const before = Date.now();
  const sent = await callOk<{ messageId: string }>(client, 'send_message', { recipient_jid: contact.jid, message: 'hello, new friend' });
  await eventually(() => refused.length === 1, 10_000);

  await eventually(async () => (await callOk<Status>(client, 'check_auth_status')).restriction !== null, 10_000);
  const status = await callOk<Status>(client, 'check_auth_status');
  expect(status.state).toBe('open');
  expect(status.restriction).toMatchObject({ kind: 'reachout_timelock', detail: 'ack error 463' });
  expect(status.restriction!.until).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
  expect(status.health).toMatchObject({ ok: true, reason: expect.stringContaining('463 reachout timelock') });
  const health = (await (await fetch(`${t.url}/healthz`)).json()) as Status['health'];
  expect(health.reason).toContain('463 reachout timelock');
  expect(await (await t.api('/metrics')).text()).toContain('wa_account_restricted{kind="reachout_timelock"} 1');
  // WhatsApp delivered it to nobody.
  expect(sim.sent.filter((m) => sent.messageId.endsWith(m.id))).toEqual([]);

  // The next send goes through again (the fault was for one send); a 429 is reported as a rate limit.
  sim.injectFault({ kind: 'refuse-sends', code: 429, count: 1 });
  await callOk(client, 'send_message', { recipient_jid: contact.jid, message: 'second try' });
  await eventually(async () => (await callOk<Status>(client, 'check_auth_status')).restriction?.kind === 'rate_overlimit', 10_000);
  const delivered = await callOk<{ messageId: string }>(client, 'send_message', { recipient_jid: contact.jid, message: 'third try' });
  await eventually(() => sim.sent.some((m) => delivered.messageId.endsWith(m.id)), 10_000);
}, 60_000);
