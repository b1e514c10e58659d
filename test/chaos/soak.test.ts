/**
 * Chaos soak: 200 random faults from the simulator's menu plus process crashes, each landing in the middle
 * of a burst of inbound messages, against the real app (real socket, supervisor and SQLite store) running
 * in a process of its own (test/chaos/app-process.ts) on one DATA_DIR, and a simulator that outlives it.
 *
 * A fault is injected from the simulator's delivery ledger at a chosen point of a message's delivery
 * (queued, on the wire, or just acknowledged), so it cuts the socket or the process while messages are
 * in flight; a crash is a SIGKILL followed by a restart on the same data dir. After every step the
 * service must settle in `open` (or `stuck`, which the operator then clears). Nothing waits for storage
 * between steps. At the end: every message the simulated contacts sent is stored exactly once, and the
 * app never had an unhandled rejection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeliveryEvent, Fault, Simulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/app.js';
import { FAST_ENV, FAST_SOCKET, silenceConsole, startSim } from '../helpers/sim-app.js';
import type { AppProcessSpec } from './app-process.js';
import { AppProcess } from './app-process-client.js';

const STEPS = 200;
const ENV: Record<string, string> = {
  ...FAST_ENV,
  ADMIN_TOKEN: 'admin-secret-token',
  MCP_AUTH_TOKEN: 'mcp-secret-token',
  WA_RESTART_INTENSITY: '1000',
  WA_SYNC_RECOVERY_COOLDOWN_MS: '0',
  WA_SYNC_SOFT_RECOVERY_LIMIT: '3',
};

let sim: Simulator;
let dataDir: string;
let app: AppProcess | undefined;
/** The next app process, already loaded: a crash is replaced at once. */
let spare: AppProcess | undefined;
/** The spare becomes the app; a new spare starts loading in the background. */
function nextApp(): AppProcess {
  const next = (spare ?? AppProcess.spare()).start(spec());
  spare = AppProcess.spare();
  return next;
}
const spec = (): AppProcessSpec => ({ dataDir, url: sim.url, env: ENV, socket: FAST_SOCKET });

beforeAll(async () => {
  silenceConsole();
  sim = await startSim({ seed: 99 });
  dataDir = mkdtempSync(join(tmpdir(), 'wa-mcp-soak-'));
});
afterAll(async () => {
  await app?.kill('SIGTERM');
  await spare?.kill('SIGKILL');
  await sim?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Deterministic PRNG (mulberry32) so a failing run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = Fault | { kind: 'crash' };
/** A process crash (SIGKILL, restart on the same data dir) is one step in 14 (about 14 per run: each costs a process start). */
const CRASH_ODDS = 1 / 14;
const MENU: Fault[] = [
  { kind: 'close' },
  { kind: 'xmlstreamend' },
  { kind: 'stream-error', code: 515 },
  { kind: 'stream-error', code: 503 },
  { kind: 'conflict' },
  { kind: 'logout' },
  { kind: 'corrupt-app-state' },
];
/** Where in a message's delivery the fault lands: posted on the server, written to the socket, acknowledged. */
const MOMENTS: DeliveryEvent['change'][] = ['queued', 'sent', 'sent', 'acked'];

/** Resolves once the app process reports a state in `states` entered at or after `after` (ms epoch). */
async function settle(states: string[], after: number, timeoutMs: number): Promise<string> {
  return eventually(() => (app && states.includes(app.state) && app.since >= after ? app.state : ''), timeoutMs);
}

/** Answers the QR the app shows (after a logout) with the simulated phone. */
async function scanWhenAsked(): Promise<void> {
  const qr = await eventually(() => app?.qr ?? '', 15_000);
  await sim.scanQr(qr);
}

it(`survives ${STEPS} random faults and crashes landing mid-delivery; every message stored exactly once`, { timeout: 600_000 }, async () => {
  const random = rng(20261125);
  const unhandled: string[] = [];
  app = nextApp();
  await settle(['awaiting-qr'], 0, 30_000);
  await scanWhenAsked();
  await settle(['open'], 0, 30_000);

  const delivered: Array<{ chat: string; id: string }> = [];
  let sends = 0;
  let crashes = 0;
  let previous: Step | undefined;
  const timing = new Map<string, number[]>();
  for (let step = 0; step < STEPS; step++) {
    const stepStart = Date.now();
    const fault: Step = random() < CRASH_ODDS ? { kind: 'crash' } : MENU[Math.floor(random() * MENU.length)]!;
    const burst = 1 + Math.floor(random() * 3);
    const target = Math.floor(random() * burst);
    const moment = MOMENTS[Math.floor(random() * MOMENTS.length)]!;
    // Unlinking drops the device's queue on the server (WhatsApp does the same): a logout lands when the
    // queue is empty; every other fault lands at `moment` of the `target`-th message of this burst.
    const trigger = fault.kind === 'logout' ? null : { index: target, moment };
    const burstStart = Date.now();
    /** This burst's message ids in posting order, learnt from the ledger as the server queues them. */
    const burstIds: string[] = [];
    let injectedAt = 0;
    const inject = () => {
      injectedAt = Date.now();
      if (fault.kind === 'crash') {
        crashes++;
        app?.child.kill('SIGKILL');
      } else sim.injectFault(fault);
    };
    const onDelivery = (e: DeliveryEvent) => {
      const d = e.delivery;
      if (d.stanza !== 'message' || d.queuedAt < burstStart) return;
      if (e.change === 'queued' && !burstIds.includes(d.id)) burstIds.push(d.id);
      if (trigger && injectedAt === 0 && e.change === trigger.moment && d.id === burstIds[trigger.index]) inject();
    };
    sim.on('delivery', onDelivery);
    for (let i = 0; i < burst; i++) {
      const contact = sim.contacts[(step + i) % sim.contacts.length]!;
      const { id } = await sim.deliverText({ from: contact.jid, text: `soak message ${step}.${i}` });
      delivered.push({ chat: contact.jid, id });
    }
    if (!trigger) {
      // Nothing may be left in the device's queue when it is unlinked (earlier steps' redeliveries included).
      await eventually(() => delivered.every(({ id }) => sim.deliveryOf(id)?.ackedAt !== undefined), 30_000);
      inject();
    }
    await eventually(() => injectedAt !== 0, 30_000).catch(() => {
      const d = sim.deliveryOf(burstIds[trigger?.index ?? 0] ?? '');
      throw new Error(`step ${step}: the ${trigger?.moment} moment of message ${trigger?.index} never came: ${JSON.stringify(d)}, state ${app?.state} (${app?.reason}), ${sim.connections} connection(s), previous ${JSON.stringify(previous)}`);
    });
    sim.off('delivery', onDelivery);

    if (fault.kind === 'crash') {
      await app.kill('SIGKILL');
      unhandled.push(...app.unhandled);
      app = nextApp();
    } else {
      // Every fault on the menu makes the lifecycle move; wait for that before judging the outcome.
      await eventually(() => (app?.lastTransitionAt ?? 0) >= injectedAt, 10_000).catch((err: unknown) => {
        throw new Error(`step ${step}: ${JSON.stringify(fault)} had no effect: ${String(err)}; state ${app?.state}`);
      });
    }
    // Settle after the fault: open again, or the states that need the operator / the phone.
    const settled = await settle(['open', 'stuck', 'awaiting-qr'], injectedAt, 30_000);
    const operatorAt = Date.now();
    if (settled === 'stuck') app.command({ type: 'restart' });
    else if (settled === 'awaiting-qr') await scanWhenAsked();
    await settle(['open'], settled === 'open' ? injectedAt : operatorAt, 30_000);
    await eventually(() => sim.connections === 1, 5_000);

    previous = fault;
    const spent = timing.get(fault.kind) ?? [];
    spent.push(Date.now() - stepStart);
    timing.set(fault.kind, spent);
    if (step % 2 === 0 && (await app.send(sim.contacts[step % sim.contacts.length]!.jid, `soak reply ${step}`))) sends++;
  }
  if (process.env.SOAK_TIMING) {
    for (const [kind, ms] of timing) process.stderr.write(`soak ${kind}: ${ms.length} steps, ${ms.reduce((a, b) => a + b, 0)} ms\n`);
  }
  expect(crashes).toBeGreaterThanOrEqual(8);

  // Everything the contacts sent is acknowledged by the device, then the app stops gracefully.
  await eventually(() => delivered.every(({ id }) => sim.deliveryOf(id)?.ackedAt !== undefined), 60_000);
  await app.kill('SIGTERM');
  unhandled.push(...app.unhandled);
  app = undefined;

  const db = new Database(join(dataDir, 'store.sqlite'), { readonly: true });
  const count = db.prepare('SELECT count(*) AS n FROM messages WHERE key_id = ?');
  const missing = delivered.filter(({ id }) => (count.get(id) as { n: number }).n === 0);
  const doubled = delivered.filter(({ id }) => (count.get(id) as { n: number }).n > 1);
  const dupes = db.prepare("SELECT count(*) AS n FROM (SELECT body FROM messages WHERE body LIKE 'soak message %' GROUP BY body HAVING count(*) > 1)").get() as { n: number };
  db.close();
  expect(missing).toEqual([]);
  expect(doubled).toEqual([]);
  expect(dupes.n).toBe(0);
  expect(sends).toBeGreaterThan(STEPS / 4);
  expect(unhandled).toEqual([]);
});
