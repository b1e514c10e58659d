/**
 * The media operations shared by the HTTP routes and the MCP tools: staging (URL / base64 → stored
 * file), sending (path / URL / base64 → WhatsApp, with idempotency), downloading (stored raw message →
 * decrypted file, once per message, deduplicated by sha256) and describing stored files (URLs).
 */
import { open, readFile, realpath, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { normalizeMessageContent, proto } from '@whiskeysockets/baileys';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import { requireMayWrite, requireOpen } from '../services/context.js';
import type { Idempotency } from '../services/idempotency.js';
import { resolveRecipient } from '../services/recipient.js';
import type { SettingsStore } from '../settings/index.js';
import type { MediaFile, Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';
import { AppError, withTimeout } from '../errors.js';
import { convertToOpus, ffmpegMissing, findFfmpeg } from './ffmpeg.js';
import { MB, base64Length, tooLarge, type MediaStore, type TempFile, cleanOriginalName } from './media-store.js';
import { confinePath } from './paths.js';
import type { UrlSigner } from './signing.js';
import { decideMime, kindFor, normalizeMime, SNIFF_BYTES } from './sniff.js';
import { fetchFailed, fetchToTemp, precheckUrl } from './url-fetch.js';

export interface MediaServiceDeps {
  config: Config;
  store: Store;
  gateway: WhatsAppGateway;
  runtime: Runtime;
  logger: Logger;
  settings: SettingsStore;
  media: MediaStore;
  signer: UrlSigner;
  /** The process-wide idempotency guard (the same instance send_message uses). */
  idempotency: Idempotency;
  /** Overall timeout of a media_url fetch (ms). Default 60 000. */
  fetchTimeoutMs?: number;
  /** Timeout of one media send (ms). Default 180 000. */
  sendTimeoutMs?: number;
}

/** SPEC §4 upload response (plus sha256). */
export interface MediaDescription {
  filename: string;
  originalFilename: string | null;
  mimetype: string;
  size: number;
  sha256: string;
  url: string;
  publicUrl?: string;
}

export interface SourceInput {
  mediaUrl?: string;
  mediaContent?: string;
  mimeType?: string;
  filename?: string;
}

export interface SendMediaInput extends SourceInput {
  recipient: string;
  mediaPath?: string;
  caption?: string;
  asAudioMessage?: boolean;
  idempotencyKey?: string;
}

export interface SendMediaResult {
  messageId: string;
  chatId: string;
  timestamp: number;
  kind: 'image' | 'video' | 'audio' | 'document';
  mimetype: string;
  size: number;
  deduplicated: boolean;
  idempotencyKey: string | null;
  /** The stored copy, when the source was a URL, base64 content or a file of the media dir. */
  file?: MediaDescription;
}

export interface DownloadResult {
  file: MediaFile;
  description: MediaDescription;
  /** True when the file was already stored (no new download). */
  cached: boolean;
}

export type ProgressFn = (done: number, total: number | undefined) => void;

/** Decodes base64 (standard or URL-safe, padding optional) or a `data:` URL; 400 on anything else. */
export function decodeContent(data: string, declaredMime?: string): { bytes: Buffer; mime: string | null } {
  let payload = data;
  let mime = normalizeMime(declaredMime);
  if (payload.startsWith('data:')) {
    const comma = payload.indexOf(',');
    if (comma < 0) throw new AppError('bad_base64', 'The data: URL has no comma before its payload', 'Send data:<mime>;base64,<bytes>');
    const meta = payload.slice(5, comma).split(';');
    mime = mime ?? normalizeMime(meta[0]);
    payload = payload.slice(comma + 1);
    if (!meta.includes('base64')) {
      try {
        return { bytes: Buffer.from(decodeURIComponent(payload), 'utf8'), mime };
      } catch {
        throw new AppError('bad_base64', 'The data: URL payload is not valid percent-encoding', 'Use data:<mime>;base64,<bytes>');
      }
    }
  }
  const clean = payload.replace(/\s+/g, '');
  if (clean.length === 0) throw new AppError('bad_base64', 'The content is empty', 'Send the file bytes as base64');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean) || clean.replace(/=+$/, '').length % 4 === 1) {
    throw new AppError('bad_base64', 'The content is not valid base64', 'Send the file bytes as standard base64 (or a data: URL)');
  }
  return { bytes: Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64'), mime };
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

interface MediaInfoFromProto {
  mimetype: string | null;
  fileLength: number | null;
  fileName: string | null;
}

function protoMediaInfo(raw: Uint8Array): MediaInfoFromProto {
  const msg = proto.WebMessageInfo.decode(raw);
  const c = normalizeMessageContent(msg.message) ?? {};
  const m = c.imageMessage ?? c.videoMessage ?? c.audioMessage ?? c.documentMessage ?? c.stickerMessage ?? c.ptvMessage ?? null;
  if (!m) return { mimetype: null, fileLength: null, fileName: null };
  const len = m.fileLength === null || m.fileLength === undefined ? null : Number(m.fileLength);
  return { mimetype: m.mimetype ?? null, fileLength: len, fileName: c.documentMessage?.fileName ?? null };
}

export class MediaService {
  private readonly downloads = new Map<string, Promise<DownloadResult>>();

  constructor(private readonly deps: MediaServiceDeps) {}

  get store(): MediaStore {
    return this.deps.media;
  }

  uploadLimitBytes(): number {
    return Math.floor(this.deps.settings.get().upload_max_mb * MB);
  }

  describe(file: MediaFile): MediaDescription {
    const path = `/media/${file.fileName}`;
    const d: MediaDescription = {
      filename: file.fileName,
      originalFilename: file.originalName,
      mimetype: file.mime,
      size: file.size,
      sha256: file.sha256,
      url: path,
    };
    const base = this.deps.settings.get().media_public_base_url;
    if (base) d.publicUrl = `${base}${path}?${this.deps.signer.query(file.fileName)}`;
    return d;
  }

  /** Stores base64 / data: URL content (`mime` is a hint; the bytes decide). */
  async storeContent(content: string, opts: { mimeType?: string; filename?: string; maxBytes?: number }): Promise<MediaFile> {
    const maxBytes = opts.maxBytes ?? this.uploadLimitBytes();
    // Refuse obviously oversize input before decoding it (slack for a data: prefix and line breaks).
    if (content.length > base64Length(maxBytes) + 4096) throw tooLarge(maxBytes);
    const { bytes, mime } = decodeContent(content, opts.mimeType);
    const temp = await this.deps.media.writeTempBuffer(bytes, maxBytes);
    return this.deps.media.commit(temp, { originalName: opts.filename ?? null, declaredMime: mime });
  }

  /** Fetches a URL (SSRF-guarded, capped, streamed) into the store. */
  async storeUrl(url: string, opts: { filename?: string; mimeType?: string } = {}): Promise<MediaFile> {
    const fetched = await fetchToTemp(url, this.deps.media, {
      maxBytes: this.uploadLimitBytes(),
      timeoutMs: this.deps.fetchTimeoutMs ?? 60_000,
      allowPrivate: this.deps.config.media.allowPrivateUrls,
    });
    return this.deps.media.commit(fetched.temp, {
      originalName: opts.filename ?? fetched.fileName,
      declaredMime: opts.mimeType ?? fetched.contentType,
    });
  }

  /** `stage_media`: exactly one of media_url / media_content. */
  async stage(input: SourceInput): Promise<MediaFile> {
    if ((input.mediaUrl === undefined) === (input.mediaContent === undefined)) {
      throw new AppError('invalid_input', 'Pass exactly one of media_url or media_content', 'Give a URL to fetch, or the base64 bytes');
    }
    if (input.mediaUrl !== undefined) return this.storeUrl(input.mediaUrl, { filename: input.filename, mimeType: input.mimeType });
    // No mime_type needed: the store sniffs the bytes (a declared type only decides what sniffing cannot).
    return this.storeContent(input.mediaContent!, { mimeType: input.mimeType, filename: input.filename });
  }

  async send(input: SendMediaInput): Promise<SendMediaResult> {
    const { store } = this.deps;
    const chatId = resolveRecipient(store, input.recipient);
    const sources = [input.mediaPath, input.mediaUrl, input.mediaContent].filter((s) => s !== undefined).length;
    if (sources !== 1) throw new AppError('invalid_input', 'Pass exactly one of media_path, media_url or media_content', 'Choose one source for the file');
    const params = {
      recipient: chatId,
      path: input.mediaPath ?? null,
      url: input.mediaUrl ?? null,
      content: input.mediaContent === undefined ? null : createHash('sha256').update(input.mediaContent).digest('hex'),
      mime: input.mimeType ?? null,
      filename: input.filename ?? null,
      caption: input.caption ?? null,
      audio: input.asAudioMessage ?? false,
    };
    const r = await this.deps.idempotency.once('send_media', input.idempotencyKey, params, () => this.deliver(chatId, input));
    return { ...r, idempotencyKey: input.idempotencyKey ?? null };
  }

  private async resolveSource(input: SendMediaInput): Promise<{ path: string; mime: string; size: number; fileName: string | null; stored: MediaFile | null }> {
    if (input.mediaPath !== undefined) {
      const roots = [this.deps.config.mediaDir, ...this.deps.config.mediaInputDirs];
      const real = await confinePath(input.mediaPath, roots);
      const st = await stat(real);
      const base = real.split('/').pop() ?? null;
      const stored = base ? this.deps.media.byName(base) : null;
      const isStored = stored !== null && real === (await realpath(this.deps.media.pathOf(stored)).catch(() => ''));
      const mime = isStored ? stored.mime : decideMime(await readHead(real), input.mimeType);
      return { path: real, mime, size: st.size, fileName: input.filename ?? (isStored ? stored.originalName : cleanOriginalName(base)), stored: isStored ? stored : null };
    }
    const file = input.mediaUrl !== undefined ? await this.storeUrl(input.mediaUrl, { filename: input.filename, mimeType: input.mimeType }) : await this.storeContent(input.mediaContent!, { mimeType: input.mimeType, filename: input.filename });
    return { path: this.deps.media.pathOf(file), mime: file.mime, size: file.size, fileName: input.filename ?? file.originalName, stored: file };
  }

  private async deliver(chatId: string, input: SendMediaInput): Promise<Omit<SendMediaResult, 'idempotencyKey'>> {
    // Input errors first (cheap, and more useful than "not connected"), then the connection, then work.
    if (input.mediaPath !== undefined) await confinePath(input.mediaPath, [this.deps.config.mediaDir, ...this.deps.config.mediaInputDirs]);
    if (input.mediaUrl !== undefined) precheckUrl(input.mediaUrl, { allowPrivate: this.deps.config.media.allowPrivateUrls });
    requireOpen(this.deps.runtime);
    requireMayWrite(this.deps, chatId);
    let src = await this.resolveSource(input);
    let kind = kindFor(src.mime);
    let ptt = false;
    if (input.asAudioMessage) {
      if (normalizeMime(src.mime) !== 'audio/ogg' || !src.mime.includes('opus')) {
        if (!src.mime.startsWith('audio/') && !src.mime.startsWith('video/')) {
          throw new AppError('invalid_input', `as_audio_message needs an audio file, not ${src.mime}`, 'Send an audio file, or leave as_audio_message false');
        }
        const ffmpeg = findFfmpeg(this.deps.config.media.ffmpegPath);
        if (ffmpeg === null) throw ffmpegMissing(this.deps.config.media.ffmpegPath);
        const out = this.deps.media.tempPath();
        try {
          await convertToOpus(ffmpeg, src.path, out);
          const temp: TempFile = await this.deps.media.measure(out);
          const file = await this.deps.media.commit(temp, { originalName: 'voice.ogg', mime: 'audio/ogg; codecs=opus' });
          src = { path: this.deps.media.pathOf(file), mime: file.mime, size: file.size, fileName: null, stored: file };
        } finally {
          await rm(out, { force: true });
        }
      }
      kind = 'audio';
      ptt = true;
    }
    requireOpen(this.deps.runtime);
    const sent = await withTimeout(
      this.deps.gateway.sendMedia(chatId, {
        kind,
        path: src.path,
        mimetype: ptt ? 'audio/ogg; codecs=opus' : src.mime,
        fileName: kind === 'document' ? (src.fileName ?? 'file') : undefined,
        caption: kind === 'audio' ? undefined : input.caption,
        ptt,
      }),
      this.deps.sendTimeoutMs ?? 180_000,
      'WhatsApp (media send)',
    );
    let file: MediaDescription | undefined;
    if (src.stored) {
      const linked = { ...src.stored, messageId: sent.id };
      this.deps.store.media.add(linked);
      file = this.describe(linked);
    }
    const out: Omit<SendMediaResult, 'idempotencyKey'> = {
      messageId: sent.id,
      chatId: sent.chatId,
      timestamp: sent.timestamp,
      kind,
      mimetype: ptt ? 'audio/ogg; codecs=opus' : src.mime,
      size: src.size,
      deduplicated: false,
    };
    if (file) out.file = file;
    return out;
  }

  /**
   * Downloads the media of a stored message (decrypted from its stored raw proto, so it works after a
   * restart), once: later calls return the stored file. Concurrent calls share one download.
   */
  download(messageId: string, opts: { maxBytes?: number; onProgress?: ProgressFn } = {}): Promise<DownloadResult> {
    const msg = this.deps.store.messages.get(messageId);
    if (!msg) return Promise.reject(new AppError('not_found', `No message with id ${messageId}`, 'Take message_id from list_messages or search_messages'));
    const id = msg.id;
    const running = this.downloads.get(id);
    if (running) return running;
    const p = this.doDownload(id, msg.hasMedia, opts).finally(() => this.downloads.delete(id));
    this.downloads.set(id, p);
    return p;
  }

  private async doDownload(id: string, hasMedia: boolean, opts: { maxBytes?: number; onProgress?: ProgressFn }): Promise<DownloadResult> {
    const { store, media } = this.deps;
    const existing = store.media.getByMessage(id);
    if (existing && (await media.exists(existing))) return { file: existing, description: this.describe(existing), cached: true };
    if (!hasMedia) throw new AppError('no_media', `Message ${id} has no media`, 'Pick a message whose hasMedia is true');
    const raw = store.messages.getRaw(id);
    if (!raw) throw new AppError('not_found', `The raw message ${id} is not stored, so its media cannot be fetched`, 'Only messages received or synced by this server can be downloaded');
    const info = protoMediaInfo(raw);
    if (opts.maxBytes !== undefined && info.fileLength !== null && info.fileLength > opts.maxBytes) {
      throw new AppError('too_large', `The media of ${id} is ${Math.round(info.fileLength / MB)} MB, over the limit`, 'Raise auto_download_max_mb or download it explicitly');
    }
    const tmp = media.tempPath();
    let timer: NodeJS.Timeout | undefined;
    if (opts.onProgress) {
      const report = opts.onProgress;
      timer = setInterval(() => {
        stat(tmp).then((s) => report(s.size, info.fileLength ?? undefined), () => undefined);
      }, 250);
    }
    try {
      let res: { size: number; mimetype: string };
      try {
        res = await this.deps.gateway.downloadMedia(id, tmp);
      } catch (err) {
        this.deps.logger.warn({ err, messageId: id }, 'media download failed');
        throw fetchFailed(
          `The media of ${id} could not be downloaded (${(err as Error).message})`,
          'If the media link expired, make sure WhatsApp is connected (the phone re-uploads it) and retry',
        );
      }
      const temp = await media.measure(tmp);
      opts.onProgress?.(temp.size, temp.size);
      const file = await media.commit(temp, { messageId: id, declaredMime: res.mimetype || info.mimetype, originalName: info.fileName });
      return { file, description: this.describe(file), cached: false };
    } finally {
      if (timer) clearInterval(timer);
      await rm(tmp, { force: true });
    }
  }

  async readBytes(file: MediaFile): Promise<Buffer> {
    return readFile(this.deps.media.pathOf(file));
  }
}
