/** GET /api/qr — the current pairing QR as a PNG; 204 when there is none (linked, or not yet shown). */
import { Router } from 'express';
import QRCode from 'qrcode';
import type { Runtime } from '../../runtime/index.js';
import { methodNotAllowed } from '../errors.js';

export function qrRoutes(runtime: Runtime): Router {
  const r = Router();
  r.get('/qr', async (_req, res) => {
    const qr = runtime.getStatus().qr;
    res.set('Cache-Control', 'no-store');
    if (!qr) {
      res.status(204).end();
      return;
    }
    const png = await QRCode.toBuffer(qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
    res.type('image/png').send(png);
  });
  r.all('/qr', methodNotAllowed(['GET']));
  return r;
}
