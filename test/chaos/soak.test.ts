/**
 * Chaos soak: 200 random faults from the simulator's menu, interleaved with inbound messages and sends,
 * against the real socket and the real supervisor. After every step the service must settle in `open`
 * (or `stuck`, which the operator then clears), with one live socket, no unhandled rejection, and every
 * message delivered while open stored exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Fault } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { eventually, type TestApp } from '../helpers/app.js';
import { isState, pair, silenceConsole, startSim, startSimApp, waitState } from '../helpers/sim-app.js';

const STEPS = 200;
let sim: Simulator;
let t: TestApp;
const rejections: unknown[] = [];
const onRejection = (r: unknown) => rejections.push(r);

beforeAll(async () => {
  silenceConsole();
  process.on('unhandledRejection', onRejection);
  sim = await startSim({ seed: 99 });
  t = await startSimApp(sim, { WA_RESTART_INTENSITY: '1000', WA_SYNC_RECOVERY_COOLDOWN_MS: '0', WA_SYNC_SOFT_RECOVERY_LIMIT: '3' });
  await pair(t, sim);
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await t?.stop();
  await sim?.stop();
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

const MENU: Fault[] = [
  { kind: 'close' },
  { kind: 'xmlstreamend' },
  { kind: 'stream-error', code: 515 },
  { kind: 'stream-error', code: 503 },
  { kind: 'conflict' },
  { kind: 'logout' },
  { kind: 'corrupt-app-state' },
];

it(`survives ${STEPS} random faults with messages in between`, { timeout: 300_000 }, async () => {
  const random = rng(20261125);
  const delivered: string[] = [];
  let sends = 0;
  let faults = 0;
  for (let step = 0; step < STEPS; step++) {
    const fault = MENU[Math.floor(random() * MENU.length)]!;
    const injectedAt = Date.now();
    sim.injectFault(fault);
    faults++;
    // Every fault on the menu makes the lifecycle move; wait for that before judging the outcome.
    await eventually(() => t.app.runtime.getState().recentTransitions.some((tr) => tr.at >= injectedAt), 10_000).catch(
      (err: unknown) => {
        throw new Error(`step ${step}: ${JSON.stringify(fault)} had no effect: ${String(err)}; status ${JSON.stringify(t.app.runtime.getStatus())}`);
      },
    );

    // Settle: open, or the states that need the operator / the phone.
    const settled = await waitState(t, isState('open', 'stuck', 'awaiting-qr'), 30_000);
    if (settled.state === 'stuck') {
      expect(t.app.runtime.send({ type: 'RESTART' }).accepted).toBe(true);
    } else if (settled.state === 'awaiting-qr') {
      await sim.scanQr();
    }
    await waitState(t, isState('open'), 30_000);
    await eventually(() => sim.connections === 1, 5_000);

    // Traffic while open: an inbound message and, every other step, a send.
    const contact = sim.contacts[step % sim.contacts.length]!;
    const text = `soak message ${step}`;
    const { id } = await sim.deliverText({ from: contact.jid, text });
    delivered.push(`${contact.jid}:${id}`);
    // Invariant, checked every step: what reached the open socket is in the store.
    await eventually(() => t.app.store.messages.get(`${contact.jid}:${id}`) !== null, 5_000).catch(() => {
      throw new Error(`step ${step}: inbound message after ${JSON.stringify(fault)} was not stored`);
    });
    if (step % 2 === 0) {
      const sent = await t.app.gateway.sendText(contact.jid, `soak reply ${step}`).catch(() => null);
      if (sent) sends++;
    }
  }
  expect(faults).toBe(STEPS);
  // Every message delivered while open is stored exactly once.
  await eventually(() => delivered.every((id) => t.app.store.messages.get(id) !== null), 10_000);
  const db = t.app.store.db;
  const dupes = db.prepare("SELECT count(*) AS n FROM (SELECT body FROM messages WHERE body LIKE 'soak message %' GROUP BY body HAVING count(*) > 1)").get() as { n: number };
  expect(dupes.n).toBe(0);
  expect(sends).toBeGreaterThan(STEPS / 4);
  expect(rejections).toEqual([]);
});
