import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PUBLIC_STATES, type OPERATOR_COMMANDS } from '../../../runtime/index.js';
import { run } from '../result.js';
import { READ_ONLY_LOCAL, toolInput } from '../schemas.js';
import type { ToolDeps } from '../tool-deps.js';

export const AuthStatusShape = z.object({
  state: z.enum(PUBLIC_STATES),
  authenticated: z.boolean().describe('The device is linked: own id known and no QR code is being asked for'),
  ready: z.boolean().describe('The connection is open: reads are live and sends go out'),
  me: z.object({ id: z.string(), name: z.string().optional(), lid: z.string().optional() }).nullable(),
  qrAvailable: z.boolean(),
  pairingCode: z
    .object({
      requestable: z.boolean().describe('request_pairing_code would be accepted now (unlinked, waiting, no request in flight)'),
      pending: z.boolean().describe('A code was requested and WhatsApp has not answered yet'),
      available: z.boolean().describe('A code waits to be typed on the phone (its characters are only in request_pairing_code’s answer)'),
      phone: z.string().nullable().describe('The number (digits, with country code) the latest request was for'),
      error: z.string().nullable().describe('Why the latest request failed, if it did'),
    })
    .strict()
    .describe(
      'Linking by phone number: whether a code is pending or waiting to be typed, and for which number. WhatsApp announces no expiry: a code works while this unlinked connection waits (a few minutes; it is gone once state leaves awaiting-qr), then request a new one',
    ),
  lastDisconnect: z.object({ code: z.number(), reason: z.string(), at: z.number() }).nullable(),
  health: z.object({ ok: z.boolean(), httpStatus: z.number(), state: z.string(), reason: z.string().nullable(), since: z.number() }),
  reason: z.string().nullable(),
  since: z.number().describe('When the current state began (epoch ms)'),
  retryInMs: z.number().nullable().describe('Milliseconds until the next scheduled recovery step'),
  commands: z
    .object({ RESTART: z.boolean(), FORCE_RESYNC: z.boolean(), LOGOUT: z.boolean(), RESET: z.boolean() } satisfies Record<
      (typeof OPERATOR_COMMANDS)[number],
      z.ZodBoolean
    >)
    .describe('Which operator commands (RESTART, FORCE_RESYNC, LOGOUT, RESET) the connection accepts right now'),
  restriction: z
    .object({ kind: z.enum(['reachout_timelock', 'rate_overlimit', 'account_restricted']), since: z.number(), until: z.number().nullable(), detail: z.string() })
    .nullable()
    .describe('WhatsApp is refusing sends to new contacts until `until` (epoch ms; null: unknown); replies to existing chats still work'),
});

/** Built once per process: every session's server shares these schemas. */
const CONFIG = {
  title: 'Check the WhatsApp connection',
  description: 'Connection and pairing status: lifecycle state, whether linked and ready to send, own id, QR availability, a pending pairing code (link by phone number), last disconnect and health.',
  inputSchema: toolInput({}),
  outputSchema: AuthStatusShape,
  annotations: READ_ONLY_LOCAL,
};

export function registerCheckAuthStatusTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'check_auth_status',
    CONFIG,
    () => run(deps, 'check_auth_status', () => ({ ...deps.services.connection.status() })),
  );
}
