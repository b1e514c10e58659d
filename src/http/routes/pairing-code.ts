/**
 * Linking by phone number from the admin UI (issue #14):
 * POST /api/pairing-code {phone} — asks WhatsApp for a code (src/runtime/pairing.ts); 200 with the code
 *   once WhatsApp confirmed it; 400 bad number, 409 already linked / not awaiting a link / a request in
 *   flight, 502 refused, 503 the connection went away, 504 no answer.
 * GET /api/pairing-code — the code waiting to be typed (a reload of the page shows it again); 204 when none.
 * Like /api/qr, these are the only places the code appears: statuses only say whether one exists.
 */
import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { Runtime } from '../../runtime/index.js';
import { displayCode, PhoneNumberInput, requestPairingCode } from '../../runtime/pairing.js';
import { methodNotAllowed } from '../errors.js';

const Body = z.strictObject({ phone: PhoneNumberInput });

export function pairingCodeRoutes(runtime: Runtime): Router {
  const r = Router();
  r.get('/pairing-code', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    const p = runtime.getStatus().pairing;
    if (!p?.code) {
      res.status(204).end();
      return;
    }
    res.json({ code: p.code, display: displayCode(p.code), phone: p.phone, requestedAt: p.requestedAt });
  });
  r.post('/pairing-code', async (req, res) => {
    const body = Body.safeParse(req.body ?? {});
    if (!body.success) {
      throw new AppError('invalid_input', 'Send {"phone": "<international number>"}', 'e.g. {"phone": "+44 7700 900123"}');
    }
    const result = await requestPairingCode(runtime, body.data.phone);
    res.set('Cache-Control', 'no-store').json(result);
  });
  r.all('/pairing-code', methodNotAllowed(['GET', 'POST']));
  return r;
}
