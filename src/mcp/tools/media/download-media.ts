import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MB } from '../../../media/media-store.js';
import { normalizeMime } from '../../../media/sniff.js';
import { progressReporter } from '../progress.js';
import { fail, ok } from '../result.js';
import { toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { FileShape } from './shapes.js';

/** Largest file returned inline (base64) by download_media. */
export const INLINE_MAX_BYTES = 16 * MB;

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Download the media of a message',
  description:
    'Downloads and decrypts the image/video/audio/document of a stored message (works after a server restart) into the media store, once; ' +
    'returns its metadata and /media URL (publicUrl when media_public_base_url is set). include_full_data also returns the bytes as an image, audio or embedded-resource block (≤ 16 MB). ' +
    'save_to_disk adds the absolute saved_path on the server. Sends progress notifications for large files when the client passes a progress token.',
  inputSchema: toolInput({
    message_id: z.string().trim().min(1).max(300).describe('id of a photo/video/audio/document/sticker message (key id, or <chatJid>:<keyId>)'),
    include_full_data: z.boolean().default(false).describe('Also return the bytes as a content block (default false)'),
    save_to_disk: z.boolean().default(false).describe('Also return the absolute path of the stored file on the server (default false)'),
  }),
  outputSchema: z.object({
    messageId: z.string(),
    ...FileShape,
    cached: z.boolean().describe('True when the file was already stored (no new download)'),
    saved_path: z.string().optional(),
    inlined: z.boolean(),
    note: z.string().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerDownloadMediaTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('download_media', CONFIG, async (a, extra) => {
    try {
      const report = progressReporter(server, extra, deps.config.mcp.jsonResponse);
      const r = await deps.media.download(deps.services.messages.resolveId(a.message_id), {
        onProgress: report ? (done, total) => void report(done, total ?? done, 'downloading') : undefined,
      });
      const data: Record<string, unknown> = { messageId: r.file.messageId ?? a.message_id, ...r.description, cached: r.cached, inlined: false };
      const blocks: ContentBlock[] = [];
      if (a.save_to_disk) data.saved_path = deps.media.store.pathOf(r.file);
      if (a.include_full_data) {
        if (r.file.size > INLINE_MAX_BYTES) {
          data.note = `The file is ${Math.round(r.file.size / MB)} MB, too large to inline; fetch it from url / publicUrl`;
        } else {
          const b64 = (await deps.media.readBytes(r.file)).toString('base64');
          const mime = normalizeMime(r.file.mime) ?? 'application/octet-stream';
          if (mime.startsWith('image/')) blocks.push({ type: 'image', data: b64, mimeType: mime });
          else if (mime.startsWith('audio/')) blocks.push({ type: 'audio', data: b64, mimeType: mime });
          else blocks.push({ type: 'resource', resource: { uri: `whatsapp://media/${r.file.fileName}`, mimeType: mime, blob: b64 } });
          data.inlined = true;
        }
      }
      return ok(data, blocks);
    } catch (err) {
      return fail(deps, 'download_media', err);
    }
  });
}
