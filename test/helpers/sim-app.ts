/**
 * The real server with the real Baileys socket, connected to an in-process simulator (started by the
 * test, so it outlives app restarts like WhatsApp's servers would).
 */
import { afterAll, afterEach, vi } from 'vitest';
import type { LifecycleStatus } from '../../src/runtime/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { postJson, startTestApp, type TestApp } from './app.js';

/** Short Baileys timeouts so faults surface in a second instead of a minute. */
export const FAST_SOCKET = { connectTimeoutMs: 4_000, defaultQueryTimeoutMs: 4_000, keepAliveIntervalMs: 1_000, qrTimeout: 10_000 };

/** Fast recovery knobs: tests exercise the same logic with shorter delays. */
export const FAST_ENV: Record<string, string> = {
  WA_BACKOFF_BASE_MS: '50',
  WA_BACKOFF_MAX_MS: '400',
  WA_DISCONNECT_RECOVERY_DELAY_MS: '8000',
  WA_RESYNC_RECONNECT_DELAY_MS: '5000',
  WA_STUCK_RETRY_MS: '0',
};

export function silenceConsole(): void {
  // libsignal prints session chatter straight to the console.
  for (const m of ['log', 'info', 'warn'] as const) vi.spyOn(console, m).mockImplementation(() => undefined);
}

export async function startSim(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 7, contacts: 3, history: { chats: 3, messagesPerChat: 4 }, autoPair: false, ...opts });
}

export async function startSimApp(sim: Simulator, env: Record<string, string> = {}, dataDir?: string): Promise<TestApp> {
  return startTestApp({ ...FAST_ENV, ...env }, { simulator: sim, socketConfig: FAST_SOCKET }, dataDir);
}

export function waitState(t: TestApp, pred: (s: LifecycleStatus) => boolean, timeoutMs = 15_000): Promise<LifecycleStatus> {
  return t.app.runtime.waitFor(pred, timeoutMs);
}

export const isState = (...states: LifecycleStatus['state'][]) => (s: LifecycleStatus) => states.includes(s.state);

/** Pairs a fresh app: waits for the QR, lets the simulated phone scan it, waits for open. */
export async function pair(t: TestApp, sim: Simulator): Promise<LifecycleStatus> {
  await waitState(t, isState('awaiting-qr'));
  await sim.scanQr();
  return waitState(t, isState('open'));
}

export interface SimAppRun {
  sim: Simulator;
  t: TestApp;
  /** POST /api/simulator/<path> with a JSON body: what the simulator panel sends. */
  simPost(path: string, body: unknown): Promise<Response>;
}

/**
 * A test file's simulator and app: `start()` starts both (paired unless `pair: false`), and the hook this
 * registers stops them after each test or after the file (`scope`), so no test repeats the teardown.
 */
export function simAppFixture(scope: 'file' | 'test' = 'file'): {
  start(opts?: { env?: Record<string, string>; pair?: boolean; sim?: SimulatorOptions }): Promise<SimAppRun>;
} {
  let sim: Simulator | undefined;
  let t: TestApp | undefined;
  (scope === 'file' ? afterAll : afterEach)(async () => {
    await t?.stop();
    await sim?.stop();
    sim = t = undefined;
  });
  return {
    async start(opts = {}) {
      silenceConsole();
      const s = (sim = await startSim(opts.sim));
      const app = (t = await startSimApp(s, opts.env));
      if (opts.pair !== false) await pair(app, s);
      return { sim: s, t: app, simPost: (path, body) => postJson(app, `/api/simulator/${path}`, body) };
    },
  };
}
