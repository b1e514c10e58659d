import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaStore } from '../../src/media/media-store.js';
import { fetchToTemp, isPrivateAddress, precheckUrl } from '../../src/media/url-fetch.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { fakePng, mediaEntries, mediaToolsClient, textOf } from './helpers.js';

/** A small HTTP host on 127.0.0.2 (loopback, but another address than the one the tests refuse). */
let host: Server;
let hostUrl: string;
const png = fakePng(3000);
beforeAll(async () => {
  host = createServer((req, res) => {
    const port = (host.address() as AddressInfo).port;
    if (req.url === '/image') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(png);
    if (req.url === '/to-loopback') return res.writeHead(302, { Location: `http://127.0.0.1:${port}/image` }).end();
    if (req.url === '/to-metadata') return res.writeHead(301, { Location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/to-localhost') return res.writeHead(307, { Location: `http://localhost:${port}/image` }).end();
    if (req.url === '/to-image') return res.writeHead(302, { Location: '/image' }).end();
    if (req.url === '/big') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 3 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.2', r));
  hostUrl = `http://127.0.0.2:${(host.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => host.close(() => r())));

describe('address policy', () => {
  it('classifies loopback, private, link-local, CGNAT and mapped addresses as private', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'not-an-ip']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('refuses every IPv6 form that embeds a private IPv4 (compatible, translated, NAT64, 6to4, Teredo), as URL literals too', () => {
    for (const a of [
      '::127.0.0.1',
      '::7f00:1',
      '::ffff:0:127.0.0.1',
      '::ffff:0:7f00:1',
      '64:ff9b::127.0.0.1',
      '64:ff9b::a00:1',
      '64:ff9b:1::a00:1',
      '2002:7f00:1::1',
      '2002:a9fe:a9fe::1',
      '2001:0:4136:e378:8000:63bf:80ff:fffe',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const url of ['http://[::127.0.0.1]/x.png', 'http://[::ffff:0:127.0.0.1]/x.png', 'http://[64:ff9b::169.254.169.254]/x']) {
      expect(() => precheckUrl(url, { allowPrivate: false }), url).toThrow(/is refused/);
    }
  });
});

describe('fetchToTemp (media_url)', () => {
  let dir: string;
  let store: Store;
  let media: MediaStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wa-fetch-'));
    store = openStore(join(dir, 'store.sqlite'));
    media = new MediaStore(join(dir, 'media'), store);
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Only the fake host's own address is exempt from the private-address rule.
  const opts = { maxBytes: 1024 * 1024, timeoutMs: 5_000, allowPrivate: false, allowAddress: (a: string) => a === '127.0.0.2' };

  it('fetches, follows a safe redirect, and streams to a temp file in the media dir', async () => {
    const f = await fetchToTemp(`${hostUrl}/to-image`, media, opts);
    expect(f.temp.path.startsWith(media.root)).toBe(true);
    expect(f.temp.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    const stored = await media.commit(f.temp, { declaredMime: f.contentType });
    expect(stored.mime).toBe('image/png');
  });

  it('refuses redirects to loopback, link-local metadata and localhost', async () => {
    for (const path of ['/to-loopback', '/to-metadata', '/to-localhost']) {
      await expect(fetchToTemp(`${hostUrl}${path}`, media, opts), path).rejects.toMatchObject({ code: 'url_refused' });
    }
    expect(mediaEntries({ app: { config: { mediaDir: media.root } } } as TestApp).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('caps the size while streaming and leaves nothing behind', async () => {
    await expect(fetchToTemp(`${hostUrl}/big`, media, opts)).rejects.toMatchObject({ code: 'too_large' });
    expect(mediaEntries({ app: { config: { mediaDir: media.root } } } as TestApp).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});

describe('MCP media tools (stage_media, send_media, download_media)', () => {
  let t: TestApp | undefined;
  let outside: string | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
    if (outside) rmSync(outside, { recursive: true, force: true });
    outside = undefined;
  });

  it('stage_media refuses loopback, link-local, localhost and non-http URLs; accepts base64', async () => {
    t = await startTestApp({}, { engine: scriptedEngine().factory });
    const mcp = await mediaToolsClient(t);
    const port = new URL(hostUrl).port;
    for (const url of [`http://127.0.0.1:${port}/image`, 'http://169.254.169.254/latest/meta-data/', `http://localhost:${port}/image`, 'file:///etc/passwd', 'ftp://example.com/x', `http://[::1]:${port}/image`, `${hostUrl}/image`]) {
      const r = await mcp.call('stage_media', { media_url: url });
      expect(r.isError, url).toBe(true);
      expect(textOf(r), url).toMatch(/refused/);
    }
    const ok = await mcp.call('stage_media', { media_content: png.toString('base64'), mime_type: 'image/jpeg', filename: 'x.jpg' });
    expect(ok.isError).toBeFalsy();
    const sc = ok.structuredContent as { saved_path: string; mimetype: string; size: number; url: string };
    expect(sc).toMatchObject({ mimetype: 'image/png', size: 3000 });
    expect(readFileSync(sc.saved_path).equals(png)).toBe(true);
    // No mime_type (issue #13): the type comes from the bytes; unrecognisable bytes become a document.
    const sniffed = await mcp.call('stage_media', { media_content: png.toString('base64') });
    expect(sniffed.isError).toBeFalsy();
    expect(sniffed.structuredContent).toMatchObject({ mimetype: 'image/png', size: 3000 });
    const opaque = await mcp.call('stage_media', { media_content: Buffer.from('just some words, not a known format').toString('base64') });
    expect(opaque.structuredContent).toMatchObject({ mimetype: 'application/octet-stream' });
    const bad = await mcp.call('stage_media', { media_content: '%%%', mime_type: 'image/png' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/base64/);
    await mcp.close();
  });

  it('send_media refuses media_path outside the roots, also through symlinks; refuses private URLs', async () => {
    outside = mkdtempSync(join(tmpdir(), 'wa-outside-'));
    const inputDir = join(outside, 'inputs');
    mkdirSync(inputDir);
    const secret = join(outside, 'secret.txt');
    writeFileSync(secret, 'top secret');
    writeFileSync(join(inputDir, 'ok.png'), png);
    symlinkSync(secret, join(inputDir, 'link-to-secret.png'));
    symlinkSync(outside, join(inputDir, 'dir-link'));
    const engine = scriptedEngine();
    t = await startTestApp({ MEDIA_INPUT_DIRS: inputDir }, { engine: engine.factory });
    mkdirSync(t.app.config.mediaDir, { recursive: true });
    symlinkSync('/etc/passwd', join(t.app.config.mediaDir, 'passwd.png'));
    const mcp = await mediaToolsClient(t);
    const send = (media_path: string) => mcp.call('send_media', { recipient_jid: '447700900123@s.whatsapp.net', media_path });
    for (const p of [
      secret,
      '/etc/passwd',
      '../settings.json',
      '../admin-token',
      join(inputDir, '..', 'secret.txt'),
      join(inputDir, 'link-to-secret.png'),
      join(inputDir, 'dir-link', 'secret.txt'),
      join(t.app.config.mediaDir, 'passwd.png'),
      'passwd.png',
      // No existence oracle: a file that exists outside and one that exists nowhere get the same answer.
      '/etc/hostname',
      '/etc/no-such-file-anywhere',
      join(t.app.config.mediaDir, 'missing.png'),
    ]) {
      const r = await send(p);
      expect(r.isError, p).toBe(true);
      expect(textOf(r).replace(JSON.stringify(p), '<path>'), p).toBe(
        `media_path <path> is not a readable file inside the allowed media directories. Put the file in one of the allowed directories (${t.app.config.mediaDir}, ${inputDir}) or use media_url / media_content`,
      );
    }
    // A file inside MEDIA_INPUT_DIRS passes confinement (and then needs a connection).
    const r = await send(join(inputDir, 'ok.png'));
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/not connected/i);
    for (const url of ['http://127.0.0.1/x.png', 'http://169.254.169.254/latest/meta-data/']) {
      const u = await mcp.call('send_media', { recipient_jid: '447700900123@s.whatsapp.net', media_url: url });
      expect(u.isError, url).toBe(true);
      expect(textOf(u)).toMatch(/refused/);
    }
    const two = await mcp.call('send_media', { recipient_jid: '447700900123@s.whatsapp.net', media_url: `${hostUrl}/image`, media_path: 'a' });
    expect(textOf(two)).toMatch(/exactly one/);
    await mcp.close();
  });

  it('send_media as_audio_message without ffmpeg says so clearly', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({ FFMPEG_PATH: '/nonexistent/ffmpeg' }, { engine: engine.factory });
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net' } });
    const mcp = await mediaToolsClient(t);
    const mp3 = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(500, 7)]);
    const r = await mcp.call('send_media', { recipient_jid: '447700900123@s.whatsapp.net', media_content: mp3.toString('base64'), mime_type: 'audio/mpeg', as_audio_message: true });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/ffmpeg/);
    expect(textOf(r)).toMatch(/FFMPEG_PATH/);
    await mcp.close();
  });

  it('download_media explains unknown messages and messages without media', async () => {
    t = await startTestApp({}, { engine: scriptedEngine().factory });
    t.app.store.messages.upsertMessages([{ chatId: '447700900123@s.whatsapp.net', keyId: 'T1', fromMe: false, timestamp: Date.now(), type: 'text', body: 'hi' }]);
    const mcp = await mediaToolsClient(t);
    let r = await mcp.call('download_media', { message_id: '447700900123@s.whatsapp.net:NOPE' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/No message with id/);
    r = await mcp.call('download_media', { message_id: '447700900123@s.whatsapp.net:T1' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/has no media/);
    await mcp.close();
  });
});
