/**
 * Media both ways through the REAL Baileys socket paired with the in-repo simulator (its media host
 * does WhatsApp's media encryption): what a contact decrypts equals what we sent; an inbound image
 * downloads byte-identical, also when first downloaded after a server restart; auto-download follows
 * the setting live.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { SentMessage, Simulator } from '../../src/simulator/index.js';
import { eventually, type TestApp } from '../helpers/app.js';
import { isState, pair, silenceConsole, startSim, startSimApp, waitState } from '../helpers/sim-app.js';
import { json, mediaOf, mediaToolsClient, pdf, textOf } from './helpers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A JPEG signature + random body: enough for the sniffer; Baileys' thumbnailing is best-effort. */
const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(n - 4)]);

let sim: Simulator;
let t: TestApp;
let dataDir: string;

/** A stand-in ffmpeg (the box has none): records its arguments and writes an ogg/opus file to the output. */
let fakeFfmpegDir: string;
function fakeFfmpeg(): string {
  fakeFfmpegDir = mkdtempSync(join(tmpdir(), 'wa-ffmpeg-'));
  const path = join(fakeFfmpegDir, 'ffmpeg');
  writeFileSync(
    path,
    `#!/bin/sh\necho "$@" > "${fakeFfmpegDir}/args"\nfor last; do :; done\nprintf 'OggS' > "$last"\nhead -c 24 /dev/zero >> "$last"\nprintf 'OpusHead' >> "$last"\nhead -c 2000 /dev/urandom >> "$last"\n`,
    { mode: 0o755 },
  );
  return path;
}

beforeAll(async () => {
  silenceConsole();
  sim = await startSim({ contacts: 2, history: { chats: 1, messagesPerChat: 1 } });
  t = await startSimApp(sim, { FFMPEG_PATH: fakeFfmpeg() });
  dataDir = t.dataDir;
  await pair(t, sim);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await sim?.stop();
  rmSync(fakeFfmpegDir, { recursive: true, force: true });
});

async function received(pred: (m: SentMessage) => boolean): Promise<SentMessage> {
  const m = await eventually(() => sim.sent.find(pred), 15_000);
  if (!m) throw new Error('not received');
  return m;
}

describe('media through the simulator', () => {
  it('sends an image and a document; the contact decrypts identical bytes', async () => {
    const alice = sim.contacts[0]!;
    const mcp = await mediaToolsClient(t);
    const image = jpeg(20_000);
    const r1 = await mcp.call('send_media', { recipient_jid: alice.jid, media_content: image.toString('base64'), mime_type: 'image/jpeg', caption: 'holiday', idempotency_key: 'img-1' });
    expect(r1.isError, textOf(r1)).toBeFalsy();
    const s1 = r1.structuredContent as { messageId: string; kind: string; deduplicated: boolean; file: { sha256: string } };
    expect(s1).toMatchObject({ kind: 'image', deduplicated: false });
    const keyId = s1.messageId.split(':').pop();
    const copy1 = await received((m) => m.id === keyId && m.media !== undefined);
    expect(copy1.media?.kind).toBe('image');
    expect(sha(copy1.media!.data)).toBe(sha(image));

    // Same idempotency key + same parameters: nothing is sent again.
    const before = sim.sent.length;
    const again = await mcp.call('send_media', { recipient_jid: alice.jid, media_content: image.toString('base64'), mime_type: 'image/jpeg', caption: 'holiday', idempotency_key: 'img-1' });
    expect(again.structuredContent).toMatchObject({ messageId: s1.messageId, deduplicated: true });
    expect(sim.sent.length).toBe(before);

    // A document from an upload, sent by media_path (a file of the media dir).
    const doc = pdf(40_000);
    const up = await json<{ filename: string }>(
      await t.api('/api/upload', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: doc.toString('base64'), filename: 'report.pdf' }) }),
    );
    const r2 = await mcp.call('send_media', { recipient_jid: alice.jid, media_path: up.filename, caption: 'the report' });
    expect(r2.isError, textOf(r2)).toBeFalsy();
    const s2 = r2.structuredContent as { messageId: string; kind: string; mimetype: string };
    expect(s2).toMatchObject({ kind: 'document', mimetype: 'application/pdf' });
    const copy2 = await received((m) => m.id === s2.messageId.split(':').pop() && m.media !== undefined);
    expect(copy2.media?.kind).toBe('document');
    expect(copy2.media?.mimetype).toBe('application/pdf');
    expect(sha(copy2.media!.data)).toBe(sha(doc));
    // An ogg/opus file as a voice note needs no conversion (so no ffmpeg).
    const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(24), Buffer.from('OpusHead'), randomBytes(3000)]);
    const r3 = await mcp.call('send_media', { recipient_jid: alice.jid, media_content: ogg.toString('base64'), mime_type: 'audio/ogg', as_audio_message: true });
    expect(r3.isError, textOf(r3)).toBeFalsy();
    expect(r3.structuredContent).toMatchObject({ kind: 'audio', mimetype: 'audio/ogg; codecs=opus' });
    const copy3 = await received((m) => m.id === (r3.structuredContent as { messageId: string }).messageId.split(':').pop() && m.media !== undefined);
    expect(copy3.media?.kind).toBe('audio');
    expect(sha(copy3.media!.data)).toBe(sha(ogg));
    expect(JSON.stringify(copy3.message)).toMatch(/"ptt":true/);

    // Other audio is converted with ffmpeg (FFMPEG_PATH) and sent as a voice note.
    const mp3 = Buffer.concat([Buffer.from('ID3'), randomBytes(4000)]);
    const r4 = await mcp.call('send_media', { recipient_jid: alice.jid, media_content: mp3.toString('base64'), mime_type: 'audio/mpeg', as_audio_message: true });
    expect(r4.isError, textOf(r4)).toBeFalsy();
    const s4 = r4.structuredContent as { messageId: string; kind: string; file: { sha256: string; mimetype: string } };
    expect(s4).toMatchObject({ kind: 'audio', file: { mimetype: 'audio/ogg; codecs=opus' } });
    expect(readFileSync(join(fakeFfmpegDir, 'args'), 'utf8')).toMatch(/-c:a libopus .*-f ogg/);
    const copy4 = await received((m) => m.id === s4.messageId.split(':').pop() && m.media !== undefined);
    expect(sha(copy4.media!.data)).toBe(s4.file.sha256);
    expect(JSON.stringify(copy4.message)).toMatch(/"ptt":true/);

    // The sent message is linked to the stored file: download_media returns it without a download.
    const d = await mcp.call('download_media', { message_id: s2.messageId });
    expect(d.structuredContent).toMatchObject({ cached: true, filename: up.filename, sha256: sha(doc) });
    await mcp.close();
  });

  it('downloads an inbound image byte-identical, first after a server restart', async () => {
    const alice = sim.contacts[0]!;
    const image = jpeg(30_000);
    const { id } = await sim.deliverMedia({ from: alice.jid, kind: 'image', data: image, mimetype: 'image/jpeg', caption: 'for you' });
    const messageId = `${alice.jid}:${id}`;
    await eventually(() => t.app.store.messages.get(messageId)?.hasMedia, 15_000);

    await t.stop({ keepData: true });
    t = await startSimApp(sim, {}, dataDir);
    // No connection needed: the media is decrypted from the stored raw message.
    const mcp = await mediaToolsClient(t);
    const progress: Array<{ progress: number; total?: number }> = [];
    const r = (await mcp.client.callTool({ name: 'download_media', arguments: { message_id: messageId, include_full_data: true, save_to_disk: true } }, undefined, {
      onprogress: (p) => progress.push(p),
    })) as CallToolResult;
    expect(r.isError, textOf(r)).toBeFalsy();
    const sc = r.structuredContent as { cached: boolean; mimetype: string; sha256: string; saved_path: string; url: string };
    expect(sc).toMatchObject({ cached: false, mimetype: 'image/jpeg', sha256: sha(image) });
    expect(readFileSync(sc.saved_path).equals(image)).toBe(true);
    // Progress notifications (the client passed a progress token): the last one is the whole file.
    await eventually(() => progress.length > 0);
    expect(progress.at(-1)).toMatchObject({ progress: image.length, total: image.length });
    const block = r.content.find((c) => c.type === 'image');
    expect(block && block.type === 'image' && Buffer.from(block.data, 'base64').equals(image)).toBe(true);
    const served = await t.api(sc.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    // Saved once: a second call is served from the store.
    const again = await mcp.call('download_media', { message_id: messageId });
    expect(again.structuredContent).toMatchObject({ cached: true, filename: (r.structuredContent as { filename: string }).filename });
    await waitState(t, isState('open'), 20_000);

    // The same bytes from someone else: its own row and name, one copy on disk (hard link).
    const bob = sim.contacts[1]!;
    const dup = await sim.deliverMedia({ from: bob.jid, kind: 'image', data: image, mimetype: 'image/jpeg' });
    const dupId = `${bob.jid}:${dup.id}`;
    await eventually(() => t.app.store.messages.get(dupId)?.hasMedia, 15_000);
    const d2 = await mcp.call('download_media', { message_id: dupId, save_to_disk: true });
    const s2 = d2.structuredContent as { filename: string; sha256: string; saved_path: string; messageId: string };
    expect(s2.sha256).toBe(sha(image));
    expect(s2.messageId).toBe(dupId);
    expect(s2.filename).not.toBe((r.structuredContent as { filename: string }).filename);
    expect(statSync(s2.saved_path).ino).toBe(statSync(sc.saved_path).ino);
    await mcp.close();
  }, 60_000);

  it('auto-downloads new media only while auto_download_media is on (toggled live)', async () => {
    const bob = sim.contacts[1]!;
    const media = mediaOf(t);
    const first = jpeg(5_000);
    const a = await sim.deliverMedia({ from: bob.jid, kind: 'image', data: first, mimetype: 'image/jpeg' });
    const idA = `${bob.jid}:${a.id}`;
    await eventually(() => t.app.store.messages.get(idA), 15_000);
    await media.autoDownload.idle();
    expect(t.app.store.media.getByMessage(idA)).toBeNull();

    const on = await t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auto_download_media: true }) });
    expect(on.status).toBe(200);
    const second = jpeg(6_000);
    const b = await sim.deliverMedia({ from: bob.jid, kind: 'image', data: second, mimetype: 'image/jpeg' });
    const idB = `${bob.jid}:${b.id}`;
    const file = (await eventually(() => t.app.store.media.getByMessage(idB), 15_000))!;
    expect(file.sha256).toBe(sha(second));
    expect(readFileSync(media.store.pathOf(file)).equals(second)).toBe(true);

    // Over auto_download_max_mb: skipped.
    await t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auto_download_max_mb: 0 }) });
    const c = await sim.deliverMedia({ from: bob.jid, kind: 'image', data: jpeg(7_000), mimetype: 'image/jpeg' });
    const idC = `${bob.jid}:${c.id}`;
    await eventually(() => t.app.store.messages.get(idC), 15_000);
    await eventually(() => media.autoDownload.getStats().skipped >= 1, 15_000);
    await media.autoDownload.idle();
    expect(t.app.store.media.getByMessage(idC)).toBeNull();
  }, 60_000);
});
