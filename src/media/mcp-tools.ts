/**
 * The three MCP media tools (SPEC §3): `send_media`, `download_media`, `stage_media`. Register them on
 * each session's McpServer with `registerMediaTools(server, media.tools)` where `media` is what
 * `createMediaServices()` returned.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { progressReporter } from '../mcp/tools/groups/progress.js';
import { errorResult, ok } from '../mcp/tools/result.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import { toToolError } from './errors.js';
import { MB } from './media-store.js';
import type { MediaService } from './service.js';
import { normalizeMime } from './sniff.js';

export interface MediaToolDeps {
  service: MediaService;
  runtime: Runtime;
  logger: Logger;
  /** MCP_HTTP_ENABLE_JSON_RESPONSE: where progress notifications go (see mcp/tools/groups/progress.ts). */
  jsonResponse: boolean;
}

/** Largest file returned inline (base64) by download_media. */
export const INLINE_MAX_BYTES = 16 * MB;

const FileShape = {
  filename: z.string().describe('Stored file name (random); GET /media/<filename>'),
  originalFilename: z.string().nullable(),
  mimetype: z.string().describe('Type sniffed from the bytes'),
  size: z.number().describe('Bytes'),
  sha256: z.string(),
  url: z.string().describe('Path on this server (/media/<file>; needs the admin token)'),
  publicUrl: z.string().optional().describe('Signed absolute URL (needs no credential; expires after 7 days); only when media_public_base_url is set'),
};

function fail(deps: MediaToolDeps, tool: string, err: unknown): CallToolResult {
  return errorResult(deps.logger, tool, err, toToolError(err, () => deps.runtime.getStatus()));
}

const mediaUrlInput = z.string().trim().min(8).max(4000).describe('http(s) URL to fetch (public hosts only; redirects followed and re-checked; size capped by upload_max_mb)');
const mediaContentInput = z.string().min(1).describe('File bytes as base64 (or a data: URL); needs mime_type unless it is a data: URL');
const mimeInput = z.string().trim().min(3).max(200).describe('MIME type of media_content (a hint: the stored type is sniffed from the bytes)');
const filenameInput = z.string().trim().min(1).max(255).describe('File name shown to the recipient (documents) and kept as metadata');

// Tool configs (zod schemas included) are built once per process, not per MCP session: each session
// registers the same objects, which keeps an idle session small.
const SEND_MEDIA_CONFIG = {
  title: 'Send an image, video, audio or document',
  description:
    'Sends a file to a person or group. Source: exactly one of media_path (a file inside MEDIA_DIR or MEDIA_INPUT_DIRS), media_url (public http(s) URL) or media_content (base64 + mime_type). ' +
    'The kind (image/video/audio/document) follows the type sniffed from the bytes. as_audio_message sends a voice note (converted to ogg/opus with ffmpeg when needed). ' +
    'Pass idempotency_key to make retries safe. Needs an open connection.',
  inputSchema: z.object({
    recipient_jid: z.string().trim().min(3).max(200).describe('Recipient: JID (…@s.whatsapp.net / …@g.us), LID or phone number with country code'),
    media_path: z.string().min(1).max(4096).optional().describe('Path of a file inside MEDIA_DIR or MEDIA_INPUT_DIRS (symlinks resolved; relative paths are relative to MEDIA_DIR)'),
    media_url: mediaUrlInput.optional(),
    media_content: mediaContentInput.optional(),
    mime_type: mimeInput.optional(),
    filename: filenameInput.optional(),
    caption: z.string().max(4096).optional().describe('Caption (images, videos, documents)'),
    as_audio_message: z.boolean().default(false).describe('Send audio as a voice note (push-to-talk); default false'),
    idempotency_key: z.string().min(1).max(200).optional().describe('Optional key (1–200 chars): retrying with the same key and parameters returns the first result instead of sending twice (kept 24 h)'),
  }),
  outputSchema: z.object({
    messageId: z.string(),
    chatId: z.string(),
    timestamp: z.number(),
    kind: z.enum(['image', 'video', 'audio', 'document']),
    mimetype: z.string(),
    size: z.number(),
    deduplicated: z.boolean(),
    idempotencyKey: z.string().nullable(),
    file: z.object(FileShape).optional().describe('The stored copy (URL/base64 sources and files of the media dir)'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

const DOWNLOAD_MEDIA_CONFIG = {
  title: 'Download the media of a message',
  description:
    'Downloads and decrypts the image/video/audio/document of a stored message (works after a server restart) into the media store, once; ' +
    'returns its metadata and /media URL (publicUrl when media_public_base_url is set). include_full_data also returns the bytes as an image, audio or embedded-resource block (≤ 16 MB). ' +
    'save_to_disk adds the absolute saved_path on the server. Sends progress notifications for large files when the client passes a progress token.',
  inputSchema: z.object({
    message_id: z.string().trim().min(5).max(300).describe('<chatJid>:<keyId> of a message with hasMedia true'),
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

const STAGE_MEDIA_CONFIG = {
  title: 'Store a file in the media dir',
  description:
    'Fetches media_url (public http(s) only) or decodes media_content (base64 + mime_type) into the media store, without sending it. ' +
    'Returns saved_path (usable as send_media.media_path), the /media URL, size and sniffed MIME type.',
  inputSchema: z.object({
    media_url: mediaUrlInput.optional(),
    media_content: mediaContentInput.optional(),
    mime_type: mimeInput.optional(),
    filename: filenameInput.optional(),
  }),
  outputSchema: z.object({ saved_path: z.string(), ...FileShape }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerSendMediaTool(server: McpServer, deps: MediaToolDeps): void {
  server.registerTool(
    'send_media',
    SEND_MEDIA_CONFIG,
    async (a) => {
      try {
        const r = await deps.service.send({
          recipient: a.recipient_jid,
          mediaPath: a.media_path,
          mediaUrl: a.media_url,
          mediaContent: a.media_content,
          mimeType: a.mime_type,
          filename: a.filename,
          caption: a.caption,
          asAudioMessage: a.as_audio_message,
          idempotencyKey: a.idempotency_key,
        });
        return ok({ ...r });
      } catch (err) {
        return fail(deps, 'send_media', err);
      }
    },
  );
}

export function registerDownloadMediaTool(server: McpServer, deps: MediaToolDeps): void {
  server.registerTool(
    'download_media',
    DOWNLOAD_MEDIA_CONFIG,
    async (a, extra) => {
      try {
        const report = progressReporter(server, extra, deps.jsonResponse);
        const r = await deps.service.download(a.message_id, {
          onProgress: report ? (done, total) => void report(done, total ?? done, 'downloading') : undefined,
        });
        const data: Record<string, unknown> = { messageId: r.file.messageId ?? a.message_id, ...r.description, cached: r.cached, inlined: false };
        const blocks: ContentBlock[] = [];
        if (a.save_to_disk) data.saved_path = deps.service.store.pathOf(r.file);
        if (a.include_full_data) {
          if (r.file.size > INLINE_MAX_BYTES) {
            data.note = `The file is ${Math.round(r.file.size / MB)} MB, too large to inline; fetch it from url / publicUrl`;
          } else {
            const b64 = (await deps.service.readBytes(r.file)).toString('base64');
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
    },
  );
}

export function registerStageMediaTool(server: McpServer, deps: MediaToolDeps): void {
  server.registerTool(
    'stage_media',
    STAGE_MEDIA_CONFIG,
    async (a) => {
      try {
        const file = await deps.service.stage({ mediaUrl: a.media_url, mediaContent: a.media_content, mimeType: a.mime_type, filename: a.filename });
        return ok({ saved_path: deps.service.store.pathOf(file), ...deps.service.describe(file) });
      } catch (err) {
        return fail(deps, 'stage_media', err);
      }
    },
  );
}

export function registerMediaTools(server: McpServer, deps: MediaToolDeps): void {
  registerSendMediaTool(server, deps);
  registerDownloadMediaTool(server, deps);
  registerStageMediaTool(server, deps);
}
