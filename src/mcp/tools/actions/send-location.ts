import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { run } from '../result.js';
import { idempotencyKeyInput, jidInput, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';
import { ActionOutputFields, WRITE } from './shapes.js';

const CONFIG = {
  title: 'Send a location pin',
  description: 'Sends a location pin (latitude/longitude in decimal degrees, with an optional place name and address) to a person or group.',
  inputSchema: toolInput({
    recipient_jid: jidInput('Recipient: JID (…@s.whatsapp.net / …@g.us), LID or phone number with country code'),
    latitude: z.number().min(-90).max(90).describe('Decimal degrees, -90..90'),
    longitude: z.number().min(-180).max(180).describe('Decimal degrees, -180..180'),
    name: z.string().trim().min(1).max(256).optional().describe('Place name shown on the pin'),
    address: z.string().trim().min(1).max(512).optional().describe('Address line shown under the name'),
    idempotency_key: idempotencyKeyInput,
  }),
  outputSchema: z.object(ActionOutputFields),
  annotations: WRITE,
};

export function registerSendLocationTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool('send_location', CONFIG, (a) =>
    run(deps, 'send_location', async () => ({
      ...(await deps.services.actions.sendLocation({
        recipient: a.recipient_jid,
        latitude: a.latitude,
        longitude: a.longitude,
        name: a.name,
        address: a.address,
        idempotencyKey: a.idempotency_key,
      })),
    })),
  );
}
