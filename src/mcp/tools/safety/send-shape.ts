/** The shape of one write in the outbox, as get_send_status / list_outbox / cancel_send return it. */
import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { SendGate } from '../../../services/safety/gate.js';
import { OUTBOX_STATUSES, type OutboxEntry } from '../../../store/index.js';
import { presentSend } from '../../../services/safety/present-send.js';
import type { ToolDeps } from '../tool-deps.js';

export const SendShape = z.object({
  sendId: z.string(),
  status: z.enum(OUTBOX_STATUSES).describe('pending_approval → queued → sending → sent; or failed, rejected (by the owner), expired (unapproved in time), cancelled'),
  tool: z.string(),
  chatId: z.string().optional(),
  recipient: z.string().optional().describe('Name (+number) of the chat written to'),
  client: z.string().optional().describe('The MCP client that asked for it'),
  summary: z.string(),
  content: z.string().optional().describe('The full text it sends (message, caption or poll question), quoted data'),
  reason: z.string().nullable().describe('Why it waited (approval, pacing, the connection)'),
  createdAt: z.string(),
  updatedAt: z.string().describe('Last change of status'),
  scheduledAt: z.string().optional(),
  expiresAt: z.string().optional(),
  decidedBy: z.string().optional(),
  result: z
    .object({ messageId: z.string().optional(), chatId: z.string().optional(), timestamp: z.number().optional() })
    .optional()
    .describe('Once sent: the message it became'),
  error: z.string().optional(),
});

export const sendIdInput = z.string().trim().regex(/^snd_[a-z0-9]{1,40}$/, 'expected a send id such as snd_… (from the tool result or list_outbox)').describe('The sendId a deferred write returned');

/** An outbox row with its recipient's name, for the outbox tools. */
export function showSend(deps: ToolDeps, e: OutboxEntry): Record<string, unknown> {
  return presentSend(e, deps.config.displayTimeZone, gateOf(deps).recipientName(e.chatJid));
}

/** The gate, or a clear error on a harness without one. */
export function gateOf(deps: ToolDeps): SendGate {
  if (!deps.safety) throw new AppError('unavailable', 'Send safety is not configured on this server', '');
  return deps.safety;
}
