import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { FileShape, filenameInput, mediaContentInput, mediaUrlInput, mimeInput } from './shapes.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Store a file in the media dir',
  description:
    'Fetches media_url (public http(s) only) or decodes media_content (base64; type sniffed) into the media store, without sending it. ' +
    'Returns saved_path (usable as send_media.media_path), the /media URL, size and sniffed MIME type.',
  inputSchema: toolInput({
    media_url: mediaUrlInput.optional(),
    media_content: mediaContentInput.optional(),
    mime_type: mimeInput.optional(),
    filename: filenameInput.optional(),
  }),
  outputSchema: z.object({ saved_path: z.string(), ...FileShape }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};

export function registerStageMediaTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('stage_media', CONFIG, (a) =>
    run(deps, 'stage_media', async () => {
      const file = await deps.media.stage({ mediaUrl: a.media_url, mediaContent: a.media_content, mimeType: a.mime_type, filename: a.filename });
      return { saved_path: deps.media.store.pathOf(file), ...deps.media.describe(file) };
    }),
  );
}
