import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { decodeContent } from '../../src/media/service.js';
import { decideMime, extensionFor, kindFor, sniffMime } from '../../src/media/sniff.js';

const b = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffMime', () => {
  it('recognises the common media types by their magic bytes', () => {
    const cases: Array<[Buffer, string]> = [
      [b([0xff, 0xd8, 0xff, 0xe0], 'JFIF'), 'image/jpeg'],
      [b([0x89], 'PNG\r\n', [0x1a, 0x0a]), 'image/png'],
      [b('GIF89a'), 'image/gif'],
      [b('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
      [b([0, 0, 0, 0x18], 'ftypmp42'), 'video/mp4'],
      [b([0, 0, 0, 0x18], 'ftypisom'), 'video/mp4'],
      [b([0, 0, 0, 0x18], 'ftypM4A '), 'audio/mp4'],
      [b('OggS', Array(24).fill(0), 'OpusHead'), 'audio/ogg; codecs=opus'],
      [b('OggS', Array(24).fill(0), [1], 'vorbis'), 'audio/ogg'],
      [b('ID3', [4, 0]), 'audio/mpeg'],
      [b([0xff, 0xfb, 0x90]), 'audio/mpeg'],
      [b('%PDF-1.7'), 'application/pdf'],
      [b('PK', [3, 4]), 'application/zip'],
    ];
    for (const [bytes, mime] of cases) expect(sniffMime(bytes), mime).toBe(mime);
    expect(sniffMime(b('<html>'))).toBeNull();
    expect(sniffMime(b(''))).toBeNull();
  });

  it('uses a declared type only when the bytes prove nothing and the type is allow-listed', () => {
    expect(decideMime(b('hello'), 'text/plain')).toBe('text/plain');
    expect(decideMime(b('<svg onload=alert(1)>'), 'image/svg+xml')).toBe('application/octet-stream');
    expect(decideMime(b('<html>'), 'text/html; charset=utf-8')).toBe('application/octet-stream');
    expect(decideMime(b('%PDF-1.4'), 'image/png')).toBe('application/pdf');
    expect(decideMime(b('PK', [3, 4]), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toMatch(/wordprocessingml/);
    expect(extensionFor('audio/ogg; codecs=opus')).toBe('ogg');
    expect(extensionFor('application/x-whatever')).toBe('bin');
    expect(kindFor('image/jpeg')).toBe('image');
    expect(kindFor('image/gif')).toBe('document');
    expect(kindFor('video/mp4')).toBe('video');
    expect(kindFor('audio/mpeg')).toBe('audio');
  });
});

describe('decodeContent', () => {
  it('accepts standard, URL-safe, unpadded base64 and data: URLs; refuses the rest with bad_base64', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 1, 2]);
    expect(decodeContent(bytes.toString('base64')).bytes.equals(bytes)).toBe(true);
    expect(decodeContent(bytes.toString('base64url')).bytes.equals(bytes)).toBe(true);
    expect(decodeContent(`data:image/png;base64,${bytes.toString('base64')}`)).toMatchObject({ mime: 'image/png' });
    expect(decodeContent('data:text/plain,hello%20world').bytes.toString()).toBe('hello world');
    for (const bad of ['', '!!!!', 'abcde', 'QUJD=A', 'data:image/png;base64']) {
      expect(() => decodeContent(bad), bad).toThrow(AppError);
    }
  });
});
