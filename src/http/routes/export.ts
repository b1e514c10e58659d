/**
 * GET /api/export/chat/:jid?include_media=true — a streamed ZIP (archiver): `chat.json` with the chat
 * and all its messages in chronological order, generated page by page (500 messages per
 * `MessagesRepo.listForward` call, the doclist path: each page costs the same at any depth) as the
 * archive pulls it, so memory stays constant whatever the chat size; with include_media, the stored
 * media files of the chat under `media/` (stored uncompressed: they are compressed formats already).
 * A client that disconnects aborts the archive.
 */
import { Readable } from 'node:stream';
import archiver from 'archiver';
import { Router } from 'express';
import type { MediaStore } from '../../media/media-store.js';
import type { Chat, Message, Store } from '../../store/index.js';
import { methodNotAllowed, notFound } from '../errors.js';

const PAGE = 500;

export interface ExportDeps {
  store: Store;
  media: MediaStore;
  logger: { warn(obj: object, msg: string): void };
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'chat';
}

export function exportRoutes(deps: ExportDeps): Router {
  const { store, media } = deps;
  const r = Router();

  function* chatJson(chat: Chat, includeMedia: boolean): Generator<string> {
    yield `{"exportedAt":${Date.now()},"chat":${JSON.stringify(chat)},"messages":[`;
    let afterCursor: string | undefined;
    let first = true;
    do {
      const page = store.messages.listForward(chat.id, { limit: PAGE, afterCursor });
      if (page.items.length === 0) break;
      const parts: string[] = [];
      for (const msg of page.items) {
        const m: Message & { mediaFile?: string } = { ...msg };
        if (includeMedia && msg.hasMedia) {
          const f = store.media.getByMessage(msg.id);
          if (f) m.mediaFile = `media/${f.fileName}`;
        }
        parts.push(JSON.stringify(m));
      }
      yield (first ? '' : ',') + parts.join(',');
      first = false;
      afterCursor = page.nextCursor;
    } while (afterCursor !== undefined);
    yield '],"media":[';
    first = true;
    for (const f of media.filesOfChat(chat.id)) {
      yield (first ? '' : ',') +
        JSON.stringify({ messageId: f.messageId, file: includeMedia ? `media/${f.fileName}` : null, originalName: f.originalName, mimetype: f.mime, size: f.size, sha256: f.sha256 });
      first = false;
    }
    yield ']}\n';
  }

  r.get('/export/chat/:jid', async (req, res) => {
    const jid = String(req.params.jid);
    const chat = store.chats.get(jid);
    if (!chat) throw notFound(`no chat ${jid}`);
    const includeMedia = ['1', 'true', 'yes'].includes(String(req.query.include_media ?? '').toLowerCase());

    const archive = archiver('zip', { zlib: { level: 6 } });
    res.status(200).set({
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="chat-${safeName(chat.id)}.zip"`,
      'Cache-Control': 'no-store',
    });
    archive.on('warning', (err) => deps.logger.warn({ err }, 'export warning'));
    archive.on('error', (err) => {
      deps.logger.warn({ err }, 'export failed');
      res.destroy(err);
    });
    res.on('close', () => {
      if (!res.writableFinished) archive.abort();
    });
    archive.pipe(res);
    archive.append(Readable.from(chatJson(chat, includeMedia), { objectMode: false }), { name: 'chat.json' });
    if (includeMedia) {
      for (const f of media.filesOfChat(chat.id)) {
        if (await media.exists(f)) archive.file(media.pathOf(f), { name: `media/${f.fileName}`, store: true } as archiver.ZipEntryData);
      }
    }
    archive.finalize().catch((err: unknown) => deps.logger.warn({ err }, 'export finalize failed'));
  });
  r.all('/export/chat/:jid', methodNotAllowed(['GET']));
  return r;
}
