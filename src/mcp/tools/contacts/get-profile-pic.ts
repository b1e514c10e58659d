import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { READ_ONLY_LIVE, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get a profile picture URL',
  description: 'Asks WhatsApp (live) for the profile picture URL of a person or group. url is null when there is none or it is private. Needs an open connection.',
  inputSchema: toolInput({ jid: jidInput('JID, LID, group JID or phone number') }),
  outputSchema: z.object({ jid: z.string(), url: z.string().nullable() }),
  annotations: READ_ONLY_LIVE,
};

export function registerGetProfilePicTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_profile_pic',
    CONFIG,
    ({ jid }) => run(deps, 'get_profile_pic', async () => ({ ...(await deps.services.contacts.profilePic(jid)) })),
  );
}
