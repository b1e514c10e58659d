/**
 * Simulator control API (WA_SIMULATOR=1 only; 404 otherwise): what a person would do on the phone —
 * scan the QR, receive a message from a contact — and the faults the recovery logic must survive.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Simulator } from '../../simulator/index.js';
import { wrongState } from '../../errors.js';
import { badRequest, methodNotAllowed, notFound } from '../errors.js';

const DeliverBody = z.object({ from: z.string().min(1).max(200).optional(), text: z.string().min(1).max(65_536) });
const FaultBody = z.object({
  kind: z.enum(['close', 'stream-error', 'conflict', 'logout', 'silence', 'corrupt-app-state', 'xmlstreamend', 'failure', 'refuse', 'slow']),
  code: z.number().int().min(100).max(999).optional(),
  enabled: z.boolean().optional(),
  delayMs: z.number().int().min(0).max(120_000).optional(),
  /** corrupt-app-state: which collection, and whether the phone repairs it (a soft resync then succeeds). */
  collection: z.enum(['critical_block', 'critical_unblock_low', 'regular_high', 'regular_low', 'regular']).optional(),
  repairable: z.boolean().optional(),
}).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw badRequest(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, r.error.issues);
  }
  return r.data;
}

export function simulatorRoutes(getSim: () => Simulator | null): Router {
  const r = Router();
  const need = (): Simulator => {
    const sim = getSim();
    if (!sim) throw notFound('the simulator is not running (start with WA_SIMULATOR=1)');
    return sim;
  };
  const guard: RequestHandler = (_req, _res, next) => {
    need();
    next();
  };
  r.use('/simulator', guard);

  r.get('/simulator/contacts', (_req, res) => {
    const sim = need();
    res.json({ phone: sim.phone, contacts: sim.contacts.map((c) => ({ jid: c.jid, lid: c.lidJid, name: c.name, number: c.number })) });
  });
  r.post('/simulator/scan-qr', async (_req, res) => {
    const sim = need();
    try {
      const result = await sim.scanQr();
      res.status(202).json({ scanned: true, result });
    } catch (err) {
      throw wrongState(`cannot scan: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  r.post('/simulator/deliver', async (req, res) => {
    const sim = need();
    const body = parse(DeliverBody, req.body);
    try {
      res.status(202).json(await sim.deliverText(body));
    } catch (err) {
      throw wrongState(`cannot deliver: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  r.post('/simulator/fault', (req, res) => {
    const sim = need();
    const body = parse(FaultBody, req.body);
    res.status(202).json({ injected: body.kind, ...sim.injectFault(body) });
  });
  r.get('/simulator/sent', (_req, res) => {
    res.json({ sent: need().sent.map((s) => ({ to: s.to, id: s.id, text: s.text, type: s.type, at: s.at })) });
  });
  for (const p of ['/simulator/contacts', '/simulator/sent']) r.all(p, methodNotAllowed(['GET']));
  for (const p of ['/simulator/scan-qr', '/simulator/deliver', '/simulator/fault']) r.all(p, methodNotAllowed(['POST']));
  return r;
}
