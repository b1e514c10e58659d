import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { progressReporter } from '../progress.js';
import { fail, ok } from '../result.js';
import { toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { inlineCapBytes, inlineMedia, mediaUri } from './inline.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get the media of a message',
  description:
    'The photo / video / audio / document of a message as content you can use: an image block (images over the inline cap downscaled to fit it), an audio block, ' +
    'or an embedded file; too large to inline: a resource link (read whatsapp://media/{message_id} with resources/read) and the signed publicUrl when configured. ' +
    'The inline cap is the server setting inline_image_max_mb (default 1 MB); max_bytes can lower it for one call.',
  inputSchema: toolInput({
    message_id: z.string().trim().min(1).max(300).describe('id of a media message (from list_messages / search_messages / catch_up)'),
    max_bytes: z
      .number()
      .int()
      .min(16 * 1024)
      .max(16 * 1024 * 1024)
      .optional()
      .describe('Largest inline block for this call, bytes; only lowers the server setting inline_image_max_mb (default 1 MB)'),
  }),
  outputSchema: z.object({
    messageId: z.string(),
    mimetype: z.string().describe('Type of the inlined data (image/jpeg when downscaled)'),
    size: z.number().describe('Bytes of the original file'),
    delivery: z.enum(['inline', 'downscaled', 'link']),
    capBytes: z.number().describe('The inline cap applied to this call (setting, lowered by max_bytes)'),
    uri: z.string().describe('whatsapp://media/{message_id}: the original bytes through resources/read'),
    width: z.number().optional(),
    height: z.number().optional(),
    publicUrl: z.string().optional(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerGetMediaTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('get_media', CONFIG, async (a, extra) => {
    try {
      const id = deps.services.messages.resolveId(a.message_id);
      const report = progressReporter(server, extra, deps.config.mcp.jsonResponse);
      const r = await deps.media.download(id, { onProgress: report ? (done, total) => void report(done, total ?? done, 'downloading') : undefined });
      const cap = inlineCapBytes(deps, a.max_bytes);
      const inl = await inlineMedia(deps, id, r.file, cap);
      const data: Record<string, unknown> = { messageId: id, mimetype: inl.mimetype, size: r.file.size, delivery: inl.delivery, capBytes: cap, uri: mediaUri(id) };
      if (inl.width !== undefined) Object.assign(data, { width: inl.width, height: inl.height });
      if (r.description.publicUrl) data.publicUrl = r.description.publicUrl;
      const blocks: ContentBlock[] = inl.blocks;
      return ok(data, blocks);
    } catch (err) {
      return fail(deps, 'get_media', err);
    }
  });
}
