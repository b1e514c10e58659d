/** The streaming JSON upload parser, fed in every chunking (real media store and SQLite in a temp dir). */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonUpload } from '../../src/media/json-upload.js';
import { MediaStore } from '../../src/media/media-store.js';
import { openStore, type Store } from '../../src/store/index.js';

let dir: string;
let store: Store;
let media: MediaStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wa-json-upload-'));
  store = openStore(join(dir, 'store.sqlite'));
  media = new MediaStore(join(dir, 'media'), store);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const parse = (text: string, size = 1 << 20, maxBytes = 1 << 20) => parseJsonUpload(chunks(text, size), media, { maxBytes, maxBodyBytes: maxBytes * 2 });

describe('parseJsonUpload', () => {
  it('decodes base64 as it streams, whatever the chunk boundaries, with escapes, key order and data: URLs', async () => {
    const bytes = randomBytes(1000);
    const b64 = bytes.toString('base64');
    const wrapped = b64.replace(/(.{76})/g, '$1\\n').replace(/\//g, '\\/');
    const bodies = [
      JSON.stringify({ data: b64, filename: 'é.bin', mime_type: 'application/pdf' }),
      `{ "filename" : "\\u00e9.bin", "mime_type": "application/pdf",\n "data": "${wrapped}" }`,
      JSON.stringify({ data: bytes.toString('base64url').replace(/=+$/, ''), filename: 'é.bin', mime_type: 'application/pdf', extra: 'ignored' }),
      `{"data": "data:application\\/pdf;base64,${b64}", "filename": "é.bin", "mime_type": null}`,
    ];
    for (const body of bodies) {
      for (const size of [1, 3, 7, 64, 1 << 20]) {
        const r = await parse(body, size);
        expect(readFileSync(r.temp.path).equals(bytes), `${size}: ${body.slice(0, 40)}`).toBe(true);
        expect(r.filename).toBe('é.bin');
        expect(r.mimeType ?? r.dataUrlMime).toBe('application/pdf');
        await media.discard(r.temp);
      }
    }
    const text = await parse('{"data":"data:text/plain,hello%20world"}', 2);
    expect(readFileSync(text.temp.path, 'utf8')).toBe('hello world');
    expect(text.dataUrlMime).toBe('text/plain');
    await media.discard(text.temp);
  });

  it('refuses bad JSON, bad base64 and oversize data, leaving no temp file behind', async () => {
    const cases: Array<[string, string]> = [
      ['', 'invalid_input'],
      ['[]', 'invalid_input'],
      ['{"data": 12}', 'invalid_input'],
      ['{"data": "QUJD", "data": "QUJD"}', 'invalid_input'],
      ['{"filename": "x"}', 'invalid_input'],
      ['{"data": "QUJD"', 'invalid_input'],
      ['{"data": "QUJD"} trailing', 'invalid_input'],
      ['{"data": "QUJD", "filename": 5}', 'invalid_input'],
      ['{"data": "QU\\qJD"}', 'invalid_input'],
      ['{"data": ""}', 'bad_base64'],
      ['{"data": "not base64!!"}', 'bad_base64'],
      ['{"data": "QUJD=A"}', 'bad_base64'],
      ['{"data": "QUJDR"}', 'bad_base64'],
      [`{"data": "${randomBytes(3000).toString('base64')}"}`, 'too_large'],
    ];
    for (const [body, code] of cases) {
      await expect(parse(body, 5, 2000), body.slice(0, 40)).rejects.toMatchObject({ code });
    }
    expect(readdirSync(media.root).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});
