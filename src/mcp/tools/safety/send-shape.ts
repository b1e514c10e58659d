/** The shape of one write in the outbox, as get_send_status / list_outbox / cancel_send return it. */
import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { SendGate } from '../../../services/safety/gate.js';
import { OUTBOX_STATUSES } from '../../../store/repos/outbox.js';
import type { ToolDeps } from '../tool-deps.js';

export const SendShape = z.object({
  sendId: z.string(),
  status: z.enum(OUTBOX_STATUSES).describe('pending_approval → queued → sending → sent; or failed, rejected (by the owner), expired (unapproved in time), cancelled'),
  tool: z.string(),
  chatId: z.string().optional(),
  summary: z.string(),
  reason: z.string().nullable().describe('Why it waited (approval, pacing, the connection)'),
  createdAt: z.string(),
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

/** The gate, or a clear error on a harness without one. */
export function gateOf(deps: ToolDeps): SendGate {
  if (!deps.safety) throw new AppError('unavailable', 'Send safety is not configured on this server', '');
  return deps.safety;
}
