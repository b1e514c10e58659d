import { Router } from 'express';
import type { Runtime } from '../../runtime/index.js';

/** GET /healthz: a pure function of the supervisor snapshot and the clock; no I/O, no auth. */
export function healthRoutes(runtime: Runtime): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    const h = runtime.getHealth();
    res.status(h.httpStatus).set('Cache-Control', 'no-store').json({ ok: h.ok, state: h.state, reason: h.reason, since: h.since });
  });
  return r;
}
