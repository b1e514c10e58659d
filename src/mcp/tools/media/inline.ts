/**
 * Media as content blocks an MCP client can use: an image block (downscaled with sharp to fit the cap),
 * an audio block, or an embedded resource blob — never base64 inside the JSON text. Too large to inline:
 * a resource link to `whatsapp://media/{message_id}` (and the signed public URL when configured).
 *
 * The cap is the live setting `inline_image_max_mb` (PUT /api/settings applies to the next call; default
 * from INLINE_IMAGE_MAX_MB, 1 MB); a call's `max_bytes` can only lower it.
 */
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type SharpModule from 'sharp';
import { normalizeMime } from '../../../media/sniff.js';
import type { ToolDeps } from '../tool-deps.js';

/** Default cap of inline bytes per image / file block (the setting's default). */
export const INLINE_CAP_BYTES = 1024 * 1024;

type Sharp = typeof SharpModule;
let sharpLoad: Promise<Sharp | null> | undefined;
/**
 * sharp is loaded on first use: it is a dependency, but its prebuilt native binary may be missing on a
 * platform; then larger images are linked instead of downscaled (and the process does not pay for loading
 * libvips until an image actually needs it).
 */
function loadSharp(): Promise<Sharp | null> {
  return (sharpLoad ??= import('sharp').then(
    (m) => m.default,
    () => null,
  ));
}

/** Bytes an inline block may have now: the live setting, lowered by the call's `max_bytes`. */
export function inlineCapBytes(deps: Pick<ToolDeps, 'settings' | 'config'>, maxBytes?: number): number {
  const mb = deps.settings?.get().inline_image_max_mb ?? deps.config.media.inlineImageMaxMb;
  const cap = Math.max(1, Math.floor(mb * 1024 * 1024));
  return maxBytes === undefined ? cap : Math.min(cap, maxBytes);
}

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
async function downscale(sharp: Sharp, bytes: Buffer, cap: number): Promise<{ data: Buffer; width: number; height: number } | null> {
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
  const sharp = mime.startsWith('image/') ? await loadSharp() : null;
  if (sharp) {
    try {
      const small = await downscale(sharp, await deps.media.readBytes(file), cap);
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
