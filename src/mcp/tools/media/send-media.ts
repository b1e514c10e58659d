import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { FileShape, filenameInput, mediaContentInput, mediaUrlInput, mimeInput } from './shapes.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Send an image, video, audio or document',
  description:
    'Sends a file to a person or group. Source: exactly one of media_path (a file in an allowed directory, listed below), media_url (public http(s) URL) or media_content (base64; type sniffed). ' +
    'The kind (image/video/audio/document) follows the type sniffed from the bytes. as_audio_message sends a voice note (converted to ogg/opus with ffmpeg when needed). ' +
    'Pass idempotency_key to make retries safe. Needs an open connection.',
  inputSchema: toolInput({
    recipient_jid: jidInput('Recipient: JID (…@s.whatsapp.net / …@g.us), LID or phone number with country code'),
    media_path: z.string().min(1).max(4096).optional().describe('Path of a file in an allowed directory (symlinks resolved; relative paths are relative to the first one)'),
    media_url: mediaUrlInput.optional(),
    media_content: mediaContentInput.optional(),
    mime_type: mimeInput.optional(),
    filename: filenameInput.optional(),
    caption: z.string().max(4096).optional().describe('Caption (images, videos, documents)'),
    as_audio_message: z.boolean().default(false).describe('Send audio as a voice note (push-to-talk); default false'),
    idempotency_key: idempotencyKeyInput,
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

/** Per set of deps (one per process): the description names the directories media_path may read from. */
const configs = new WeakMap<object, typeof CONFIG>();
function configFor(deps: ToolDeps): typeof CONFIG {
  const cfg = (deps as Partial<ToolDeps>).config;
  if (!cfg) return CONFIG;
  let c = configs.get(deps);
  if (!c) {
    const dirs = [cfg.mediaDir, ...cfg.mediaInputDirs];
    c = { ...CONFIG, description: `${CONFIG.description} media_path may be inside: ${dirs.join(', ')}.` };
    configs.set(deps, c);
  }
  return c;
}

export function registerSendMediaTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('send_media', configFor(deps), (a) =>
    run(deps, 'send_media', async () => ({
      ...(await deps.media.send({
        recipient: a.recipient_jid,
        mediaPath: a.media_path,
        mediaUrl: a.media_url,
        mediaContent: a.media_content,
        mimeType: a.mime_type,
        filename: a.filename,
        caption: a.caption,
        asAudioMessage: a.as_audio_message,
        idempotencyKey: a.idempotency_key,
      })),
    })),
  );
}
