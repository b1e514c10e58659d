/**
 * #12 items 1 and 2, end to end on the real process (`src/main.ts`, HTTP mode, the built-in simulator):
 * libsignal's session dumps (private and root keys) never reach stdout/stderr, even at LOG_LEVEL=trace;
 * every file in DATA_DIR is the owner's alone, and files left readable by an earlier run are tightened
 * with a warning.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  child = undefined;
  dataDir = undefined;
});

it('keeps Signal key material out of the output and DATA_DIR private', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wa-secrets-'));
  chmodSync(dataDir, 0o755); // as `mkdir -p` in an image would leave it
  writeFileSync(join(dataDir, 'settings.json'), '{}\n', { mode: 0o644 });
  chmodSync(join(dataDir, 'settings.json'), 0o644);
  const token = 'admin-token-for-secrets-test';
  let out = '';
  child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'trace', WA_SIMULATOR: '1', ADMIN_TOKEN: token, MCP_AUTH_TOKEN: 'mcp-token-for-secrets-test', SEND_MODE: 'allow', SEND_PACING: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await eventually(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"listening"/.exec(out)?.[1], 30_000, 100);
  const api = (path: string, init: RequestInit = {}) => fetch(url + path, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) } });
  await eventually(async () => ((await (await api('/api/status')).json()) as { state: string }).state === 'open', 40_000, 200);
  // A contact writes (a Signal session from their pre-key message), then we answer: Baileys re-keys the
  // session for the contact's LID, and libsignal prints the session it closes — keys included.
  const contacts = (await (await api('/api/simulator/contacts')).json()) as { contacts?: Array<{ jid: string }> } | Array<{ jid: string }>;
  const list = Array.isArray(contacts) ? contacts : (contacts.contacts ?? []);
  const from = list.find((c) => c.jid.endsWith('@s.whatsapp.net'))?.jid;
  expect((await api('/api/simulator/deliver', { method: 'POST', body: JSON.stringify({ from, text: 'the keys stay secret' }) })).status).toBe(202);
  await eventually(async () => ((await (await api('/api/status')).json()) as { store: { messages: number } }).store.messages > 0, 20_000, 100);
  const mcp = new Client({ name: 'secrets-test', version: '1.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: 'Bearer mcp-token-for-secrets-test' } } }));
  const sent = await mcp.callTool({ name: 'send_message', arguments: { recipient_jid: from, message: 'and so do yours' } });
  expect(sent.isError).toBeFalsy();
  await mcp.close();
  await eventually(() => /Closing session/.test(out), 20_000, 100);
  child.kill('SIGTERM');
  await new Promise((r) => child!.once('exit', r));

  // The library's line arrived — through the logger, at debug, with its object reduced to a type name.
  expect(out).toMatch(/"level":20[^\n]*"console":"info"[^\n]*"msg":"Closing session: \[SessionEntry\]"/);
  for (const secret of ['privKey', 'rootKey', 'chainKey', 'baseKey', '<Buffer', 'ephemeralKeyPair', token]) expect(out, secret).not.toContain(secret);

  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  for (const name of readdirSync(dataDir)) {
    const st = statSync(join(dataDir, name));
    expect(st.mode & 0o077, `${name} is open to others`).toBe(0);
  }
  expect(out).toMatch(/"level":40[^\n]*settings\.json[^\n]*restricted them to the owner/);
}, 120_000);
