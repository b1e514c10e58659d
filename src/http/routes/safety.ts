/**
 * Send safety for the owner (issue #15):
 * GET  /api/sends?status=a,b       — the outbox (default: what still waits), with counts per status
 * POST /api/sends/:id/approve      — a pending write joins the queue and goes out (paced)
 * POST /api/sends/:id/reject       — a pending write is dropped
 * POST /api/sends/:id/cancel       — a pending or queued write is dropped
 * GET  /api/audit                  — the audit log as JSON Lines, oldest first (`?limit=N&format=json`: newest N as JSON)
 */
import { Router } from 'express';
import { invalidInput } from '../../errors.js';
import type { SendGate } from '../../services/safety/gate.js';
import { OPEN_STATUSES, OUTBOX_STATUSES, presentSend, type OutboxStatus } from '../../services/safety/present-send.js';
import { methodNotAllowed } from '../errors.js';

const AUDIT_PAGE = 1000;

function statuses(q: unknown): readonly OutboxStatus[] {
  if (q === undefined || q === '') return OPEN_STATUSES;
  if (typeof q !== 'string') throw invalidInput('status must be a comma-separated list', `Use any of ${OUTBOX_STATUSES.join(', ')}`);
  const list = q.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(OUTBOX_STATUSES as readonly string[]).includes(s));
  if (bad.length > 0) throw invalidInput(`Unknown status ${bad.join(', ')}`, `Use any of ${OUTBOX_STATUSES.join(', ')}`);
  return list as OutboxStatus[];
}

function limitOf(q: unknown, def: number, max: number): number {
  if (q === undefined) return def;
  const n = Number(q);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidInput(`limit must be an integer from 1 to ${max}`, '');
  return n;
}

export function safetyRoutes(gate: SendGate, opts: { timeZone?: string } = {}): Router {
  const r = Router();
  const show = (e: Parameters<typeof presentSend>[0]) => presentSend(e, opts.timeZone);
  r.get('/sends', (req, res) => {
    const list = gate.list(statuses(req.query.status), limitOf(req.query.limit, 100, 1000));
    res.set('Cache-Control', 'no-store').json({ sends: list.map(show), counts: gate.counts() });
  });
  r.all('/sends', methodNotAllowed(['GET']));
  for (const action of ['approve', 'reject', 'cancel'] as const) {
    r.post(`/sends/:id/${action}`, (req, res) => {
      const id = String(req.params.id);
      const e = action === 'approve' ? gate.approve(id, 'admin') : action === 'reject' ? gate.reject(id, 'admin') : gate.cancel(id, 'admin');
      res.set('Cache-Control', 'no-store').json(show(e));
    });
    r.all(`/sends/:id/${action}`, methodNotAllowed(['POST']));
  }
  r.get('/audit', (req, res) => {
    if (req.query.format === 'json') {
      res.set('Cache-Control', 'no-store').json({ entries: gate.auditRecent(limitOf(req.query.limit, 100, 1000)) });
      return;
    }
    res.set({ 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Disposition': 'attachment; filename="audit.jsonl"' });
    // Paged by id so a long log streams in bounded memory.
    let after = 0;
    for (;;) {
      const page = gate.auditPage(after, AUDIT_PAGE);
      if (page.length === 0) break;
      res.write(page.map((e) => `${JSON.stringify({ ...e, time: new Date(e.at).toISOString() })}\n`).join(''));
      after = page.at(-1)!.id;
    }
    res.end();
  });
  r.all('/audit', methodNotAllowed(['GET']));
  return r;
}
