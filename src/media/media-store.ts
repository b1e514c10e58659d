/**
 * The media store: one confined root directory (`MEDIA_DIR`) with random, safe file names
 * (`<32 hex>.<ext>`) and their metadata in SQLite (`media_files`: original name, MIME, size, sha256,
 * message id). Bytes always stream through a temp file in the same directory (hashed and measured on
 * the way, capped), then are renamed to their final name, so a crash or an oversize upload never
 * leaves a half-written file under a served name. Files with the same sha256 are stored once: an
 * identical upload returns the existing file; an identical download for another message gets a hard
 * link (same bytes on disk, its own row).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { link, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MediaFile, Store } from '../store/index.js';
import { AppError } from '../errors.js';
import { decideMime, extensionFor, SNIFF_BYTES } from './sniff.js';

/** Stored names: 32 hex chars + a short lowercase extension. Anything else is never served. */
export const STORED_NAME = /^[a-f0-9]{32}\.[a-z0-9]{1,5}$/;
const TEMP_PREFIX = '.tmp-';

export interface TempFile {
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
}

export interface CommitOptions {
  originalName?: string | null;
  declaredMime?: string | null;
  messageId?: string;
  /** Force this MIME type (e.g. a converted voice note) instead of sniffing. */
  mime?: string;
}

export const MB = 1024 * 1024;

export function tooLarge(maxBytes: number): AppError {
  return new AppError('too_large', `The file is larger than the limit of ${formatMb(maxBytes)}`, 'Send a smaller file, or raise upload_max_mb in the settings');
}

/** Characters of standard base64 for `bytes` bytes (padding included): the budget of a base64 upload. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

export function formatMb(bytes: number): string {
  return `${Math.round((bytes / MB) * 100) / 100} MB`;
}

/** Counts, hashes and keeps the first bytes of a stream; fails once more than `maxBytes` pass. */
export class Meter extends Transform {
  size = 0;
  readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLen = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return cb(tooLarge(this.maxBytes));
    this.hash.update(chunk);
    if (this.headLen < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headLen);
      this.headChunks.push(Buffer.from(part));
      this.headLen += part.length;
    }
    cb(null, chunk);
  }
  head(): Buffer {
    return Buffer.concat(this.headChunks);
  }
}

/** Strips directories and control characters from a client-supplied name (metadata only). */
export function cleanOriginalName(name: string | null | undefined): string | null {
  if (!name) return null;
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? null : clean;
}

export class MediaStore {
  constructor(
    readonly root: string,
    private readonly store: Store,
  ) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  /** A fresh temp path inside the root (never served: not in the store, and the name starts with a dot). */
  tempPath(): string {
    return join(this.root, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
  }

  /** Streams `source` into a temp file, capped at `maxBytes` (413 and nothing left behind when over). */
  async writeTemp(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number): Promise<TempFile> {
    const path = this.tempPath();
    const meter = new Meter(maxBytes);
    // Open before piping: with a lazily opened stream, a source that fails first lets rm() run before
    // the file exists, and the late open then leaves an orphan temp file behind.
    const handle = await open(path, 'wx', 0o600);
    try {
      await pipeline(source, meter, handle.createWriteStream());
    } catch (err) {
      await handle.close().catch(() => undefined);
      await rm(path, { force: true });
      throw err;
    }
    return { path, size: meter.size, sha256: meter.hash.digest('hex'), head: meter.head() };
  }

  /** Writes a buffer to a temp file (already in memory: base64 uploads). */
  async writeTempBuffer(data: Buffer, maxBytes: number): Promise<TempFile> {
    if (data.length > maxBytes) throw tooLarge(maxBytes);
    return this.writeTemp(Readable.from([data]), maxBytes);
  }

  /** Hash + head of a file already on disk (e.g. written by the gateway). */
  async measure(path: string): Promise<TempFile> {
    const meter = new Meter(Number.MAX_SAFE_INTEGER);
    await pipeline(createReadStream(path), meter, async (s: AsyncIterable<Buffer>) => {
      for await (const _ of s) void _;
    });
    return { path, size: meter.size, sha256: meter.hash.digest('hex'), head: meter.head() };
  }

  async discard(temp: { path: string }): Promise<void> {
    await rm(temp.path, { force: true });
  }

  /** Moves a temp file to its final random name and records it (or reuses an identical stored file). */
  async commit(temp: TempFile, opts: CommitOptions = {}): Promise<MediaFile> {
    // Nothing empty is ever stored (or sent as a 0-byte document), whichever route the bytes came by.
    if (temp.size === 0) {
      await this.discard(temp);
      throw new AppError('invalid_input', 'The file is empty (0 bytes)', 'Send a file with content');
    }
    const originalName = cleanOriginalName(opts.originalName);
    const existing = this.findBySha(temp.sha256);
    if (existing && (await this.exists(existing))) {
      if (opts.messageId === undefined || existing.messageId === undefined || existing.messageId === opts.messageId) {
        await this.discard(temp);
        if (opts.messageId !== undefined && existing.messageId === undefined) {
          const linked = { ...existing, messageId: opts.messageId };
          this.store.media.add(linked);
          return linked;
        }
        return existing;
      }
      // Same bytes, another message: a hard link keeps one copy on disk and gives the message its own row.
      const fileName = `${randomBytes(16).toString('hex')}.${extensionFor(existing.mime)}`;
      try {
        await link(this.pathOf(existing), join(this.root, fileName));
        await this.discard(temp);
        return this.record({ ...existing, id: randomBytes(16).toString('hex'), fileName, originalName: originalName ?? existing.originalName, messageId: opts.messageId });
      } catch {
        // Filesystems without hard links: keep the second copy.
      }
    }
    const mime = opts.mime ?? decideMime(temp.head, opts.declaredMime);
    const fileName = `${randomBytes(16).toString('hex')}.${extensionFor(mime)}`;
    await rename(temp.path, join(this.root, fileName));
    return this.record({
      id: randomBytes(16).toString('hex'),
      fileName,
      originalName,
      mime,
      size: temp.size,
      sha256: temp.sha256,
      messageId: opts.messageId,
      createdAt: Date.now(),
    });
  }

  private record(file: MediaFile): MediaFile {
    const f: MediaFile = { ...file };
    if (f.messageId === undefined) delete f.messageId;
    this.store.media.add(f);
    return f;
  }

  findBySha(sha256: string): MediaFile | null {
    return this.store.media.getBySha256(sha256);
  }

  /** A stored file by its served name, or null (also for names that are not stored names). */
  byName(name: string): MediaFile | null {
    if (!STORED_NAME.test(name)) return null;
    return this.store.media.getByFileName(name);
  }

  /** Files downloaded for messages of a chat (canonical chat JID). */
  filesOfChat(chatJid: string): Generator<MediaFile> {
    return this.store.media.ofChat(chatJid);
  }

  pathOf(file: Pick<MediaFile, 'fileName'>): string {
    if (!STORED_NAME.test(file.fileName)) throw new AppError('not_found', 'Not a stored media file', 'Use a file name returned by the server');
    return join(this.root, file.fileName);
  }

  async exists(file: Pick<MediaFile, 'fileName'>): Promise<boolean> {
    try {
      return (await stat(this.pathOf(file))).isFile();
    } catch {
      return false;
    }
  }

  /** Removes temp files left by a crash (called at start-up). */
  async sweepTemps(): Promise<number> {
    let n = 0;
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      if (name.startsWith(TEMP_PREFIX)) {
        await rm(join(this.root, name), { force: true });
        n++;
      }
    }
    return n;
  }
}
