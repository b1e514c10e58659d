/**
 * Issue #15, the durable outbox survives kill -9: 100 sends accepted while the account is not yet linked
 * (`queue_if_offline: true`) are stored; the phone links, delivery starts, the process is SIGKILLed in the
 * middle of it and started again on the same data dir. Every message reaches its contact exactly once —
 * counted as WhatsApp counts, one message per id: a delivery cut by the crash is retried with the same
 * message id — and in the order they were accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/app.js';
import { FAST_ENV, FAST_SOCKET, silenceConsole, startSim } from '../helpers/sim-app.js';
import { AppProcess } from './app-process-client.js';

const SENDS = 100;
const ENV = { ...FAST_ENV, ADMIN_TOKEN: 'admin-secret-token', MCP_AUTH_TOKEN: 'mcp-secret-token' };

let sim: Simulator;
let dataDir: string;
const apps: AppProcess[] = [];

beforeAll(async () => {
  silenceConsole();
  sim = await startSim({ seed: 5, contacts: 4, history: false });
  dataDir = mkdtempSync(join(tmpdir(), 'wa-mcp-outbox-'));
});
afterAll(async () => {
  for (const a of apps) await a.kill('SIGKILL');
  await sim?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function startApp(): AppProcess {
  const app = AppProcess.spare().start({ dataDir, url: sim.url, env: ENV, socket: FAST_SOCKET });
  apps.push(app);
  return app;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'outbox-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: 'Bearer mcp-secret-token' } } }));
  return client;
}

/** The texts each contact received, one per message id, in arrival order. */
function received(): Map<string, string[]> {
  const byId = new Map<string, { to: string; text: string }>();
  for (const m of sim.sent) if (!byId.has(m.id) && m.text?.startsWith('queued #')) byId.set(m.id, { to: m.to, text: m.text });
  const out = new Map<string, string[]>();
  for (const { to, text } of byId.values()) out.set(to, [...(out.get(to) ?? []), text]);
  return out;
}
const receivedCount = () => [...received().values()].reduce((n, l) => n + l.length, 0);

it('100 queued sends, kill -9 mid-delivery, restart: each delivered once, in order', async () => {
  const first = startApp();
  await eventually(() => first.url !== null && first.state === 'awaiting-qr' && first.qr !== null, 30_000);
  const client = await connect(first.url!);
  const contacts = sim.contacts.slice(0, 4);

  // Not linked yet: without the flag a send is refused; with it, queued.
  const refused = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: contacts[0]!.jid, message: 'too early' } })) as CallToolResult;
  expect(refused._meta).toMatchObject({ code: 'not_connected' });
  for (let i = 0; i < SENDS; i++) {
    const r = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: contacts[i % 4]!.jid, message: `queued #${i}`, queue_if_offline: true } })) as CallToolResult;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ status: 'queued', sendId: expect.stringMatching(/^snd_/) });
  }
  const listed = (await client.callTool({ name: 'list_outbox', arguments: { status: ['queued'], limit: 200 } })) as CallToolResult;
  expect((listed.structuredContent as { sends: unknown[] }).sends).toHaveLength(SENDS);
  await client.close();

  // The phone links; delivery starts; the process dies in the middle of it.
  await sim.scanQr(first.qr!);
  await eventually(() => receivedCount() >= 15, 60_000, 1);
  await first.kill('SIGKILL');
  const atCrash = receivedCount();
  expect(atCrash).toBeLessThan(SENDS);

  // Started again on the same data dir: it reconnects by itself and delivers the rest.
  const second = startApp();
  await eventually(() => receivedCount() >= SENDS, 90_000, 50);
  await eventually(() => second.url !== null && second.state === 'open', 30_000);
  const again = await connect(second.url!);
  const outbox = async (status: string[]) => ((await again.callTool({ name: 'list_outbox', arguments: { status, limit: 200 } })) as CallToolResult).structuredContent as { sends: unknown[] };
  await eventually(async () => (await outbox(['sent'])).sends.length === SENDS, 30_000);
  expect((await outbox(['pending_approval', 'queued', 'sending', 'failed'])).sends).toEqual([]);
  const got = received();
  for (const [i, c] of contacts.entries()) {
    const expected = Array.from({ length: SENDS / 4 }, (_, k) => `queued #${k * 4 + i}`);
    expect(got.get(c.jid)).toEqual(expected); // each once, in the order accepted
  }
  expect(receivedCount()).toBe(SENDS);
  await again.close();
}, 180_000);
