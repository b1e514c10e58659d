/** GET /metrics: Prometheus text format (prom-client), behind the admin credential. */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { PUBLIC_STATES, type Runtime } from '../../runtime/index.js';

export function createMetrics(runtime: Runtime): { registry: Registry; handler: RequestHandler; dispose: () => void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'wa_connection_state',
    help: '1 for the current lifecycle state, 0 for the others',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const s = runtime.getSummary().state;
      for (const st of PUBLIC_STATES) this.set({ state: st }, st === s ? 1 : 0);
    },
  });
  new Gauge({
    name: 'wa_healthy',
    help: '1 when /healthz answers 200',
    registers: [registry],
    collect() {
      this.set(runtime.getSummary().health.ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'wa_restart_budget_used',
    help: 'automatic restarts inside the current restart period',
    registers: [registry],
    collect() {
      this.set(runtime.getSummary().restartBudget.used);
    },
  });
  new Gauge({
    name: 'wa_account_restricted',
    help: '1 for the kind of send restriction WhatsApp currently applies (463 reachout timelock, 429 rate overlimit, account restricted), else 0',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const kind = runtime.getSummary().restriction?.kind;
      for (const k of ['reachout_timelock', 'rate_overlimit', 'account_restricted'] as const) this.set({ kind: k }, k === kind ? 1 : 0);
    },
  });
  const transitions = new Counter({
    name: 'wa_transitions_total',
    help: 'lifecycle transitions taken, by actor and event',
    labelNames: ['actor', 'event'],
    registers: [registry],
  });
  const off = runtime.subscribe((c) => {
    if (c.type === 'transition') transitions.inc({ actor: c.transition.actor, event: c.transition.event });
  });

  const handler: RequestHandler = async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  };
  return { registry, handler, dispose: off };
}
