/**
 * Media as content blocks an MCP client can use: an image block (downscaled with sharp to fit the cap),
 * an audio block, or an embedded resource blob — never base64 inside the JSON text. Too large to inline:
 * a resource link to `whatsapp://media/{message_id}` (and the signed public URL when configured).
 */
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { normalizeMime } from '../../../media/sniff.js';
import type { ToolDeps } from '../tool-deps.js';

/** Default cap of inline bytes per image / file block. */
export const INLINE_CAP_BYTES = 1024 * 1024;

export const MEDIA_URI_TEMPLATE = 'whatsapp://media/{message_id}';

export function mediaUri(messageId: string): string {
  return `whatsapp://media/${encodeURIComponent(messageId)}`;
}

export interface InlineResult {
  blocks: ContentBlock[];
  /** How the bytes were given: as they are, downscaled, or only linked. */
  delivery: 'inline' | 'downscaled' | 'link';
  mimetype: string;
  /** Bytes of the inlined (possibly downscaled) data. */
  inlineBytes?: number;
  width?: number;
  height?: number;
}

/** Re-encodes an image smaller (longest side and JPEG quality step down) until it fits `cap`; null if it never does. */
async function downscale(bytes: Buffer, cap: number): Promise<{ data: Buffer; width: number; height: number } | null> {
  const meta = await sharp(bytes, { failOn: 'none' }).metadata();
  let side = Math.min(2048, Math.max(meta.width ?? 2048, meta.height ?? 2048));
  for (let i = 0; i < 6; i++) {
    const { data, info } = await sharp(bytes, { failOn: 'none' })
      .rotate()
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 - i * 8 })
      .toBuffer({ resolveWithObject: true });
    if (data.length <= cap) return { data, width: info.width, height: info.height };
    side = Math.floor(side * 0.7);
  }
  return null;
}

export async function inlineMedia(deps: Pick<ToolDeps, 'media' | 'logger'>, messageId: string, file: Parameters<ToolDeps['media']['readBytes']>[0], cap: number): Promise<InlineResult> {
  const mime = normalizeMime(file.mime) ?? 'application/octet-stream';
  const link: ContentBlock = { type: 'resource_link', uri: mediaUri(messageId), name: file.originalName ?? file.fileName, mimeType: mime, size: file.size };
  if (file.size <= cap) {
    const b64 = (await deps.media.readBytes(file)).toString('base64');
    if (mime.startsWith('image/')) return { blocks: [{ type: 'image', data: b64, mimeType: mime }], delivery: 'inline', mimetype: mime, inlineBytes: file.size };
    if (mime.startsWith('audio/')) return { blocks: [{ type: 'audio', data: b64, mimeType: mime }], delivery: 'inline', mimetype: mime, inlineBytes: file.size };
    return { blocks: [{ type: 'resource', resource: { uri: mediaUri(messageId), mimeType: mime, blob: b64 } }], delivery: 'inline', mimetype: mime, inlineBytes: file.size };
  }
  if (mime.startsWith('image/')) {
    try {
      const small = await downscale(await deps.media.readBytes(file), cap);
      if (small) {
        return {
          blocks: [{ type: 'image', data: small.data.toString('base64'), mimeType: 'image/jpeg' }, link],
          delivery: 'downscaled',
          mimetype: 'image/jpeg',
          inlineBytes: small.data.length,
          width: small.width,
          height: small.height,
        };
      }
    } catch (err) {
      deps.logger.debug({ err }, 'image could not be downscaled; linking it instead');
    }
  }
  return { blocks: [link], delivery: 'link', mimetype: mime };
}
