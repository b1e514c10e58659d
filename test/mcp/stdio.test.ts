/** stdio mode: a spawned process answers tools/list and tool calls (stdout carries nothing but JSON-RPC); the full server's stdio client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ResourceUpdatedNotificationSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { PassThrough } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { ALICE, BOB, callOk, connectClient, openApp, seed, SEED_TOOLS } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dataDir: string | undefined;
afterEach(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

it('answers tools/list and reads the store through a spawned stdio process', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wa-mcp-stdio-'));
  const store = openStore(join(dataDir, 'store.sqlite'));
  seed(store);
  store.close();

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'src/mcp/stdio-main.ts')],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const errors: Error[] = [];
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  client.onerror = (e) => errors.push(e);
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toEqual(expect.arrayContaining([...SEED_TOOLS]));
    expect(tools.every((x) => x.annotations && x.outputSchema)).toBe(true);
    const chat = await callOk(client, 'get_chat_by_id', { jid: ALICE });
    expect(chat).toMatchObject({ chat: { id: ALICE, name: 'Alice Andersen' } });
    // No WhatsApp socket in this entry: the state is honest and sends are refused with a next step.
    expect(await callOk(client, 'check_auth_status')).toMatchObject({ state: 'connecting', ready: false });
  } finally {
    await client.close();
  }
  // Logs went to stderr (pino JSON), never to stdout (a stray line would have been a parse error).
  expect(errors).toEqual([]);
  expect(stderr.join('')).toMatch(/"msg":"MCP stdio ready"/);
});

/** A client transport over a pair of in-process streams (what a spawned process's pipes would be). */
class StreamClientTransport implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (e: Error) => void;
  private readonly buf = new ReadBuffer();
  constructor(
    private readonly input: PassThrough,
    private readonly output: PassThrough,
  ) {}
  async start(): Promise<void> {
    this.input.on('data', (chunk: Buffer) => {
      this.buf.append(chunk);
      for (let m = this.buf.readMessage(); m; m = this.buf.readMessage()) this.onmessage?.(m);
    });
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.output.write(serializeMessage(message));
  }
  async close(): Promise<void> {
    this.output.end();
    this.onclose?.();
  }
}

it('the full server can also serve stdio, sharing idempotency and notifications with HTTP sessions', async () => {
  const o = await openApp();
  const t = o.t;
  try {
    seed(t.app.store);
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    const stdio = await t.app.mcp.serveStdio({ stdin: toServer, stdout: fromServer });
    const client = new Client({ name: 'stdio-shared', version: '1.0.0' });
    await client.connect(new StreamClientTransport(fromServer, toServer));
    const http0 = await connectClient(t.url);
    // The same tool set as the HTTP sessions (26 core tools + module tools).
    expect((await client.listTools()).tools.map((x) => x.name)).toEqual((await http0.listTools()).tools.map((x) => x.name));
    await http0.close();

    // Idempotency is process-wide: a key used over HTTP is recognised over stdio.
    const http = await connectClient(t.url);
    const first = await callOk<{ messageId: string }>(http, 'send_message', { recipient_jid: BOB, message: 'shared key', idempotency_key: 'shared-1' });
    expect(await callOk(client, 'send_message', { recipient_jid: BOB, message: 'shared key', idempotency_key: 'shared-1' })).toMatchObject({
      messageId: first.messageId,
      deduplicated: true,
    });
    expect(o.gateway.sent).toHaveLength(1);

    // notifyNewMessages reaches the stdio client too.
    const uri = `whatsapp://chats/${encodeURIComponent(ALICE)}/messages`;
    const updated = new Promise<string>((resolve) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)));
    await client.subscribeResource({ uri });
    t.app.mcp.notifyNewMessages([ALICE]);
    expect(await updated).toBe(uri);

    await http.close();
    await t.stop();
    await stdio.closed; // closeAll ended the stdio client as well
  } finally {
    await t.stop().catch(() => undefined);
  }
});
