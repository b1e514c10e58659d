/** Decrypting the media of a stored message (from its raw proto) to a file; works after a restart. */
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { downloadMediaMessage, proto, type WAMessage } from '@whiskeysockets/baileys';
import type { Store } from '../../store/index.js';
import type { BaileysLogger } from '../log-signals.js';
import type { SocketSlot } from './live-socket.js';

export async function downloadStoredMedia(
  deps: { store: Store; slot: SocketSlot; baileysLogger: BaileysLogger },
  id: string,
  destPath: string,
): Promise<{ size: number; mimetype: string }> {
  const raw = deps.store.messages.getRaw(id);
  if (!raw) throw new Error(`message ${id} is not in the store`);
  const msg = proto.WebMessageInfo.decode(raw) as WAMessage;
  const live = deps.slot.current?.open ? deps.slot.current.sock : null;
  const stream = await downloadMediaMessage(msg, 'stream', {}, {
    logger: deps.baileysLogger,
    // Expired media URLs are re-requested from the phone; only possible with an open socket.
    reuploadRequest: live ? (m) => live.updateMediaMessage(m) : async (m) => m,
  });
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(stream, counter, createWriteStream(destPath, { mode: 0o600 }));
  const content = msg.message ?? {};
  const mimetype =
    content.imageMessage?.mimetype ?? content.videoMessage?.mimetype ?? content.audioMessage?.mimetype ??
    content.documentMessage?.mimetype ?? content.stickerMessage?.mimetype ?? 'application/octet-stream';
  return { size, mimetype };
}
