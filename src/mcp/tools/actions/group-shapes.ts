/** Shapes shared by the group administration tools (#14). */
import { z } from 'zod';

export const ParticipantOutcomeShape = z.object({
  jid: z.string(),
  ok: z.boolean(),
  status: z.string().describe("WhatsApp's status for this participant: 200 = done, otherwise its error code"),
  error: z.string().optional().describe('What the status means, when not 200'),
});

export const participantsInput = z
  .array(z.string().trim().min(3).max(200))
  .min(1)
  .max(256)
  .describe('People: JIDs, LIDs or phone numbers with country code');
