import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import QRCode from 'qrcode';
import { z } from 'zod';
import { fail, ok } from '../result.js';
import { READ_ONLY_LIVE, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

const Output = z.object({
  state: z.string(),
  linked: z.boolean().describe('True when the device is already linked (no QR needed)'),
  qr: z.string().nullable().describe('The raw QR string (also returned as a PNG image block)'),
  message: z.string().optional(),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Get the WhatsApp pairing QR code',
  description:
    'Returns the current QR code to link this server as a WhatsApp device: a PNG image block plus the raw QR string. ' +
    'Scan it with the phone (WhatsApp → Linked devices). When already linked, or before a QR exists, says so instead.',
  inputSchema: toolInput({}),
  outputSchema: Output,
  annotations: { ...READ_ONLY_LIVE, idempotentHint: false },
};

export function registerGetQrCodeTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_qr_code',
    CONFIG,
    async () => {
      try {
        const r = deps.services.connection.qr();
        if (r.qr === null) return ok({ state: r.state, linked: r.linked, qr: null, message: r.message });
        const png = await QRCode.toBuffer(r.qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
        return ok(
          { state: r.state, linked: false, qr: r.qr, message: 'Scan this QR code with WhatsApp on the phone (Linked devices → Link a device); it rotates every ~20 s' },
          [{ type: 'image', data: png.toString('base64'), mimeType: 'image/png' }],
        );
      } catch (err) {
        return fail(deps, 'get_qr_code', err);
      }
    },
  );
}
