/**
 * Reading benchmark (issue #13): how many characters a model has to read per message, on the same
 * seeded data before and after a change of the output shapes. The server runs in this process with no
 * WhatsApp engine (reads come from the store); calls go through the official MCP SDK client, and the
 * figure is the length of the text block the model reads (the JSON of the result).
 *
 *   npx tsx bench/run.ts reading
 *
 * Prints `BENCH list_messages_chars_per_msg` and `BENCH search_chars_per_hit`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { openStore } from '../src/store/index.js';
import { DEFAULT_CONFIG, generateMessages, makeChats, makeContacts, makeVocab, pickQueries } from './store-data.js';

const TOKEN = 'bench-token';

function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${name} ${Math.round(value * 10) / 10} ${unit}`);
}

function textOf(r: CallToolResult): string {
  if (r.isError) throw new Error(JSON.stringify(r.content).slice(0, 300));
  const t = r.content.find((c) => c.type === 'text');
  return t && t.type === 'text' ? t.text : '';
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-bench-reading-'));
  try {
    // Fixed data: 20k messages over 200 chats (40 groups), the store benchmark's generator and seed.
    const cfg = { ...DEFAULT_CONFIG, messages: 20_000, chats: 200, groups: 40, contacts: 2_000, batchSize: 2_000 };
    const store = openStore(join(dataDir, 'store.sqlite'));
    store.contacts.upsertContacts(makeContacts(cfg).map((c) => ({ id: c.id, name: c.name, pushname: c.pushname })));
    const chats = makeChats(cfg);
    store.chats.upsertChats(chats.map((c) => ({ id: c.id, name: c.name, isGroup: c.isGroup })));
    const vocab = makeVocab(cfg.seed);
    const tracked = pickQueries(vocab);
    for (const batch of generateMessages(cfg, vocab, chats, tracked, false)) store.messages.upsertMessages(batch);
    store.close();

    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', MCP_AUTH_TOKEN: TOKEN, ADMIN_TOKEN: 'bench-admin' }, []);
    const app = createApp(config, silentLogger(), { engine: () => ({ handle: () => {}, dispose: () => {} }) });
    const { url } = await app.start();
    const client = new Client({ name: 'bench-reading', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    try {
      // The 20 busiest chats (list_chats is newest first; take chats by id from the seed instead, so
      // the sample does not depend on list_chats' shape).
      let chars = 0;
      let msgs = 0;
      for (const chat of chats.slice(0, 20).concat(chats.slice(-20))) {
        const r = (await client.callTool({ name: 'list_messages', arguments: { chat_id: chat.id, limit: 50 } })) as CallToolResult;
        const text = textOf(r);
        const n = ((r.structuredContent as { messages?: unknown[] } | undefined)?.messages ?? []).length;
        if (n === 0) continue;
        if (process.env.SHOW && msgs === 0) console.log(text.slice(0, 900));
        chars += text.length;
        msgs += n;
      }
      bench('list_messages_chars_per_msg', chars / msgs, 'chars');

      let hChars = 0;
      let hits = 0;
      for (const q of tracked.filter((t) => t.cls === 'medium' || t.cls === 'frequent' || t.cls === 'phrase').slice(0, 20)) {
        const r = (await client.callTool({ name: 'search_messages', arguments: { query: q.query, limit: 20 } })) as CallToolResult;
        const text = textOf(r);
        const n = ((r.structuredContent as { hits?: unknown[] } | undefined)?.hits ?? []).length;
        if (n === 0) continue;
        if (process.env.SHOW && hits === 0) console.log(text.slice(0, 900));
        hChars += text.length;
        hits += n;
      }
      bench('search_chars_per_hit', hChars / hits, 'chars');
    } finally {
      await client.close();
      await app.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
