import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageInput } from '../../src/store/index.js';
import type { WhatsAppGateway } from '../../src/whatsapp/gateway.js';
import { disconnectedGateway } from '../../src/whatsapp/disconnected-gateway.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { fakePng, json } from './helpers.js';

let t: TestApp | undefined;
let tmp: string | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

const ALICE = '447700900123@s.whatsapp.net';
const BOB = '447700900456@s.whatsapp.net';
const GROUP = '120363000000000001@g.us';

function seedMessages(t: TestApp, chatId: string, n: number, t0 = 1_700_000_000_000): void {
  const batch: MessageInput[] = [];
  for (let i = 0; i < n; i++) {
    batch.push({ chatId, keyId: `K${i}`, fromMe: i % 2 === 0, timestamp: t0 + i * 1000, type: 'text', body: `message number ${i}` });
    if (batch.length === 5_000) t.app.store.messages.upsertMessages(batch.splice(0));
  }
  if (batch.length) t.app.store.messages.upsertMessages(batch);
}

function unzipList(zip: string): string[] {
  return execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
}

describe('GET /api/qr', () => {
  it('answers 204 without a QR and a PNG of the current QR otherwise', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory });
    let res = await t.api('/api/qr');
    expect(res.status).toBe(204);
    engine.emit({ type: 'ENGINE.QR', qr: '2@abc,def,ghi' });
    res = await t.api('/api/qr');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect((await fetch(`${t.url}/api/qr`)).status).toBe(401);
  });
});

describe('/api/chats', () => {
  it('lists chats newest first with offset paging and a name/id filter', async () => {
    t = await startTestApp({}, { engine: scriptedEngine().factory });
    t.app.store.chats.upsertChats([
      { id: ALICE, name: 'Alice Example', timestamp: 3_000 },
      { id: BOB, name: 'Bob Builder', timestamp: 2_000 },
      { id: GROUP, name: 'Climbing club', isGroup: true, timestamp: 1_000 },
    ]);
    let body = await json<{ chats: Array<{ id: string; name: string }>; total: number; hasMore: boolean }>(await t.api('/api/chats'));
    expect(body.chats.map((c) => c.id)).toEqual([ALICE, BOB, GROUP]);
    expect(body.total).toBe(3);
    body = await json(await t.api('/api/chats?limit=1&offset=1'));
    expect(body.chats.map((c) => c.name)).toEqual(['Bob Builder']);
    expect(body.hasMore).toBe(true);
    body = await json(await t.api('/api/chats?q=club'));
    expect(body.chats.map((c) => c.id)).toEqual([GROUP]);
    body = await json(await t.api('/api/chats?q=447700900456'));
    expect(body.chats.map((c) => c.id)).toEqual([BOB]);
    expect((await t.api('/api/chats?limit=0')).status).toBe(400);
    expect((await t.api('/api/chats?offset=-1')).status).toBe(400);
  });

  it('pages messages back from the newest by cursor, each page chronological', async () => {
    t = await startTestApp({}, { engine: scriptedEngine().factory });
    seedMessages(t, ALICE, 25);
    type PageBody = { messages: Array<{ id: string; body: string; timestamp: number }>; hasMore: boolean; nextCursor: string | null };
    let body = await json<PageBody>(await t.api(`/api/chats/${ALICE}/messages?limit=10`));
    expect(body.messages.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `message number ${15 + i}`));
    expect(body.hasMore).toBe(true);
    body = await json(await t.api(`/api/chats/${encodeURIComponent(ALICE)}/messages?limit=10&cursor=${body.nextCursor}`));
    expect(body.messages.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `message number ${5 + i}`));
    // A message arriving meanwhile does not shift the older pages.
    t.app.store.messages.upsertMessages([{ chatId: ALICE, keyId: 'LATE', fromMe: false, timestamp: 1_800_000_000_000, type: 'text', body: 'late' }]);
    body = await json(await t.api(`/api/chats/${encodeURIComponent(ALICE)}/messages?limit=10&cursor=${body.nextCursor}`));
    expect(body.messages.map((m) => m.body)).toEqual(Array.from({ length: 5 }, (_, i) => `message number ${i}`));
    expect(body.hasMore).toBe(false);
    expect(body.nextCursor).toBeNull();
    expect(body.messages[0]!.id).toBe(`${ALICE}:K0`);
    expect((await t.api(`/api/chats/${ALICE}/messages?cursor=not-a-cursor`)).status).toBe(400);
    expect((await t.api(`/api/chats/${ALICE}/messages?cursor=`)).status).toBe(400);
    expect((await t.api('/api/chats/447700900999@s.whatsapp.net/messages')).status).toBe(404);
  });
});

describe('GET /api/avatar/:jid', () => {
  it('redirects to the profile picture, caches it briefly, and 404s without one', async () => {
    const calls: string[] = [];
    const gateway: WhatsAppGateway = {
      ...disconnectedGateway(),
      profilePictureUrl: async (jid: string) => {
        calls.push(jid);
        return jid === ALICE ? 'https://pps.whatsapp.net/v/alice.jpg' : null;
      },
    };
    t = await startTestApp({}, { engine: scriptedEngine().factory, gateway });
    let res = await t.api(`/api/avatar/${ALICE}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://pps.whatsapp.net/v/alice.jpg');
    res = await t.api(`/api/avatar/+44 7700 900123`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(calls).toEqual([ALICE]);
    res = await t.api(`/api/avatar/${BOB}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect((await t.api('/api/avatar/not-a-jid!', { redirect: 'manual' })).status).toBe(400);
  });
});

describe('GET /api/export/chat/:jid', () => {
  it('streams a valid ZIP with chat.json and the chat media', async () => {
    t = await startTestApp({}, { engine: scriptedEngine().factory });
    seedMessages(t, ALICE, 30);
    t.app.store.messages.upsertMessages([{ chatId: ALICE, keyId: 'IMG1', fromMe: false, timestamp: 1_800_000_000_000, type: 'image', hasMedia: true, mediaMime: 'image/png', caption: 'a picture' }]);
    // Attach a stored file to the media message (as download_media would).
    const up = await json<{ filename: string; sha256: string }>(
      await t.api('/api/upload', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: fakePng(4000).toString('base64') }) }),
    );
    const file = t.app.store.media.getByFileName(up.filename)!;
    t.app.store.media.add({ ...file, messageId: `${ALICE}:IMG1` });

    tmp = mkdtempSync(join(tmpdir(), 'wa-export-'));
    const zip = join(tmp, 'chat.zip');
    const res = await t.api(`/api/export/chat/${ALICE}?include_media=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="chat-447700900123_s.whatsapp.net.zip"$/);
    await pipeline(Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream), createWriteStream(zip));
    expect(unzipList(zip).sort()).toEqual(['chat.json', `media/${up.filename}`]);
    const chat = JSON.parse(execFileSync('unzip', ['-p', zip, 'chat.json'], { encoding: 'utf8' })) as {
      chat: { id: string };
      messages: Array<{ id: string; body: string; mediaFile?: string }>;
      media: Array<{ messageId: string; file: string; sha256: string }>;
    };
    expect(chat.chat.id).toBe(ALICE);
    expect(chat.messages).toHaveLength(31);
    expect(chat.messages[0]!.body).toBe('message number 0');
    expect(chat.messages[30]).toMatchObject({ id: `${ALICE}:IMG1`, mediaFile: `media/${up.filename}` });
    expect(chat.media).toEqual([expect.objectContaining({ messageId: `${ALICE}:IMG1`, file: `media/${up.filename}`, sha256: up.sha256 })]);
    const media = execFileSync('unzip', ['-p', zip, `media/${up.filename}`]);
    expect(media.length).toBe(4000);

    // Without include_media: chat.json only.
    const res2 = await t.api(`/api/export/chat/${ALICE}`);
    const zip2 = join(tmp, 'chat2.zip');
    await pipeline(Readable.fromWeb(res2.body! as import('node:stream/web').ReadableStream), createWriteStream(zip2));
    expect(unzipList(zip2)).toEqual(['chat.json']);
    expect((await t.api('/api/export/chat/447700900999@s.whatsapp.net')).status).toBe(404);
  });

  it('streams a 100k-message chat in bounded memory', async () => {
    t = await startTestApp({}, { engine: scriptedEngine().factory });
    seedMessages(t, ALICE, 100_000);
    // Live memory (heap + external buffers) measured with forced GCs (not RSS, which the allocator keeps high): before the export,
    // and mid-stream while the client has paused reading (the server is then held by backpressure).
    v8.setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const live = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const base = live();
    tmp = mkdtempSync(join(tmpdir(), 'wa-export-'));
    const zip = join(tmp, 'big.zip');
    let midStream: number | null = null;
    await new Promise<void>((resolve, reject) => {
      const u = new URL(t!.url);
      request({ host: u.hostname, port: u.port, path: `/api/export/chat/${ALICE}`, headers: t!.adminHeaders }, (res) => {
        expect(res.statusCode).toBe(200);
        const out = createWriteStream(zip);
        let received = 0;
        res.on('data', (d: Buffer) => {
          received += d.length;
          out.write(d);
          if (midStream === null && received > 256 * 1024) {
            res.pause();
            setImmediate(() => {
              gc();
              midStream = live() - base;
              res.resume();
            });
          }
        });
        res.on('end', () => out.end(() => resolve()));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    const out = execFileSync('unzip', ['-p', zip, 'chat.json'], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
    const chat = JSON.parse(out) as { messages: Array<{ body: string; timestamp: number }> };
    expect(chat.messages).toHaveLength(100_000);
    expect(chat.messages[99_999]!.body).toBe('message number 99999');
    expect(chat.messages.every((m, i) => i === 0 || m.timestamp > chat.messages[i - 1]!.timestamp)).toBe(true);
    // chat.json is ~15 MB and 100k Message objects take far more; the export in flight holds a page.
    expect(out.length).toBeGreaterThan(10 * 1024 * 1024);
    expect(midStream).not.toBeNull();
    expect(midStream!).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);
});
