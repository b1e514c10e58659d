import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { ContactShape, READ_ONLY_LOCAL, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get a contact by id',
  description: 'The contact for a JID, LID or phone number. Errors when the contact is unknown.',
  inputSchema: toolInput({ jid: jidInput('JID (…@s.whatsapp.net), LID (…@lid) or phone number with country code') }),
  outputSchema: z.object({ contact: ContactShape }),
  annotations: READ_ONLY_LOCAL,
};

export function registerGetContactByIdTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_contact_by_id',
    CONFIG,
    ({ jid }) => run(deps, 'get_contact_by_id', () => ({ contact: deps.services.contacts.get(jid) })),
  );
}
