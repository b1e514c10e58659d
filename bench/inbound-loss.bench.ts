/**
 * Inbound loss window (issue #18): how many messages does the product acknowledge to the server and
 * then lose to a crash?
 *
 *   npx tsx bench/run.ts inbound-loss
 *   INBOUND_LOSS_KILLS=200 npx tsx bench/run.ts inbound-loss      # quick run
 *
 * Design. The bench process runs K simulators (one WhatsApp account each) that survive every crash; a
 * child process runs K real apps (the composition root, real Baileys, real SQLite), one per simulator,
 * each on its own data dir. Each child lifetime: spawn, wait until every app has logged in (its offline
 * backlog redelivered), then every simulator starts a burst of inbound messages at its own random
 * offset and pace, and the child is SIGKILLed at a random moment. One SIGKILL therefore lands at K
 * independent points of K bursts (queued, on the wire, decrypted, receipt sent, buffered, committed):
 * K kill points per lifetime. Messages sent while the child is dead stay queued on the simulated server
 * and arrive as `offline` redeliveries at the next start, so kills also land mid-catch-up.
 *
 * At the end one more child starts, every simulator waits until each message has been acknowledged,
 * the child stops gracefully, and every message is classified from the simulators' delivery ledgers
 * (transmissions, first acknowledgement) and the stores:
 *   stored                  — in the store, transmitted once
 *   redelivered_stored      — in the store, transmitted more than once (a crash or reconnect in between)
 *   lost_after_ack          — acknowledged by the device (the server will never send it again), not stored
 *   never_acked             — still queued at the end (should be 0: the final run drains everything)
 *   duplicates              — stored more than once
 * Prints `BENCH inbound_lost_after_ack <n> msgs` among others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createApp } from '../src/app.js';
import { SIMULATOR_WA_VERSION, startSimulator, trustSimulatorRoot, type Simulator } from '../src/simulator/index.js';

const KILLS = Number(process.env.INBOUND_LOSS_KILLS ?? 1_000);
/** Apps (and simulators) per child process: kill points per SIGKILL. */
const APPS = Number(process.env.INBOUND_LOSS_APPS ?? 20);
/** Inbound messages per simulator per child lifetime. */
const BURST = Number(process.env.INBOUND_LOSS_BURST ?? 6);
/** The kill lands uniformly within this many ms after the bursts start. */
const KILL_WINDOW_MS = Number(process.env.INBOUND_LOSS_KILL_WINDOW_MS ?? 600);
const SEED = Number(process.env.INBOUND_LOSS_SEED ?? 18);

const ENV: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  ADMIN_TOKEN: 'bench-admin-token-0123456789',
  MCP_AUTH_TOKEN: 'bench-mcp-token-0123456789',
  WA_BACKOFF_BASE_MS: '50',
  WA_BACKOFF_MAX_MS: '400',
  WA_STUCK_RETRY_MS: '0',
};
const SOCKET = { connectTimeoutMs: 4_000, defaultQueryTimeoutMs: 4_000, keepAliveIntervalMs: 1_000, qrTimeout: 10_000, markOnlineOnConnect: false };

interface AppSpec {
  dataDir: string;
  url: string;
}

function bench(name: string, value: number, unit: string): void {
  process.stdout.write(`BENCH ${name} ${Math.round(value * 100) / 100} ${unit}\n`);
}

/** Deterministic PRNG (mulberry32) so a run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- child: K apps, each against its own simulator, until killed -------------------------------

async function runChild(specs: AppSpec[]): Promise<void> {
  // libsignal prints session chatter straight to the console.
  for (const m of ['log', 'info', 'warn', 'error'] as const) console[m] = () => undefined;
  process.umask(0o077);
  trustSimulatorRoot();
  const apps = specs.map((s) =>
    createApp(loadConfig({ ...ENV, DATA_DIR: s.dataDir }, []), silentLogger(), {
      socketConfig: { waWebSocketUrl: s.url, version: SIMULATOR_WA_VERSION, ...SOCKET },
    }),
  );
  process.on('SIGTERM', () => {
    void Promise.allSettled(apps.map((a) => a.stop())).then(() => process.exit(0));
  });
  await Promise.all(apps.map((a) => a.start()));
  process.send?.('started');
}

// ---- parent ----------------------------------------------------------------------------------

/**
 * Pairs every app and keeps it running until Baileys has finished its first sync (it then counts
 * `accountSyncCounter` up in its creds): before that, every connection holds all events in Baileys'
 * buffer for up to 20 s waiting for a history sync, a window only a freshly linked device has.
 */
async function pairAll(sims: Simulator[], dirs: string[]): Promise<void> {
  await Promise.all(
    sims.map(async (sim, i) => {
      const app = createApp(loadConfig({ ...ENV, DATA_DIR: dirs[i]! }, []), silentLogger(), { simulator: sim, socketConfig: SOCKET });
      await app.start();
      await app.runtime.waitFor((s) => s.state === 'awaiting-qr', 60_000);
      await sim.scanQr();
      await app.runtime.waitFor((s) => s.state === 'open', 60_000);
      const synced = () => {
        const row = app.store.db.prepare('SELECT data FROM auth_creds WHERE id = 1').get() as { data: string } | undefined;
        return row ? Number((JSON.parse(row.data) as { accountSyncCounter?: number }).accountSyncCounter ?? 0) > 0 : false;
      };
      const deadline = Date.now() + 60_000;
      while (!synced() && Date.now() < deadline) await delay(100);
      if (!synced()) throw new Error(`app ${i}: the first sync did not finish`);
      await app.stop();
    }),
  );
}

function spawnChild(specs: AppSpec[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, INBOUND_LOSS_CHILD: JSON.stringify(specs) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Resolves when every simulator has seen a login (offline backlog redelivered) since `since`, or after `ms`. */
function allLoggedIn(sims: Simulator[], ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let left = sims.length;
    const offs: Array<() => void> = [];
    const timer = setTimeout(() => done(false), ms);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      for (const off of offs) off();
      resolve(ok);
    };
    for (const sim of sims) {
      const onLogin = () => {
        sim.off('login', onLogin);
        if (--left === 0) done(true);
      };
      sim.on('login', onLogin);
      offs.push(() => sim.off('login', onLogin));
    }
  });
}

async function burst(sim: Simulator, random: () => number, ids: string[]): Promise<void> {
  await delay(random() * KILL_WINDOW_MS * 0.6);
  for (let i = 0; i < BURST; i++) {
    const contact = sim.contacts[Math.floor(random() * sim.contacts.length)]!;
    const { id } = await sim.deliverText({ from: contact.jid, text: `inbound ${ids.length} ${random().toString(36).slice(2, 8)}` });
    ids.push(id);
    const gap = random() * 40;
    if (gap > 5) await delay(gap);
  }
}

async function main(): Promise<void> {
  // libsignal (the simulated contacts' sessions) prints session chatter straight to the console.
  for (const m of ['log', 'info', 'warn'] as const) console[m] = () => undefined;
  const random = rng(SEED);
  const started = Date.now();
  const sims = await Promise.all(
    Array.from({ length: APPS }, (_, i) => startSimulator({ seed: 1800 + i, contacts: 3, groups: 0, history: { chats: 1, messagesPerChat: 2 }, autoPair: false })),
  );
  const root = mkdtempSync(join(tmpdir(), 'inbound-loss-'));
  const dirs = sims.map((_, i) => join(root, `app-${i}`));
  const specs: AppSpec[] = sims.map((sim, i) => ({ dataDir: dirs[i]!, url: sim.url }));
  const untrust = trustSimulatorRoot();
  await pairAll(sims, dirs);
  untrust();
  const ids: string[][] = sims.map(() => []);
  const lifetimes = Math.ceil(KILLS / APPS);
  let slowLogins = 0;
  for (let life = 0; life < lifetimes; life++) {
    const child = spawnChild(specs);
    if (!(await allLoggedIn(sims, 60_000))) slowLogins++;
    const bursts = sims.map((sim, i) => burst(sim, random, ids[i]!));
    await delay(random() * KILL_WINDOW_MS);
    child.kill('SIGKILL');
    await exited(child);
    await Promise.all(bursts);
    if ((life + 1) % 10 === 0) console.error(`inbound-loss: ${(life + 1) * APPS}/${lifetimes * APPS} kill points, ${Math.round((Date.now() - started) / 1000)} s`);
  }

  // Final run: drain every queue, then stop gracefully.
  const child = spawnChild(specs);
  const pendingMessages = () => sims.reduce((n, sim) => n + sim.unacknowledged().filter((d) => d.stanza === 'message').length, 0);
  const deadline = Date.now() + 120_000;
  while (pendingMessages() > 0 && Date.now() < deadline) await delay(100);
  child.kill('SIGTERM');
  await exited(child);

  let stored = 0;
  let redelivered = 0;
  let lost = 0;
  let neverAcked = 0;
  let duplicates = 0;
  let total = 0;
  for (const [i, sim] of sims.entries()) {
    const db = new Database(join(dirs[i]!, 'store.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT key_id AS id, count(*) AS n FROM messages GROUP BY key_id').all() as Array<{ id: string; n: number }>;
    db.close();
    const count = new Map(rows.map((r) => [r.id, r.n]));
    for (const id of ids[i]!) {
      total++;
      const d = sim.deliveryOf(id);
      const n = count.get(id) ?? 0;
      if (n > 1) duplicates++;
      if (n > 0) {
        if ((d?.sentAt.length ?? 0) > 1) redelivered++;
        else stored++;
      } else if (d?.ackedAt !== undefined) lost++;
      else neverAcked++;
    }
  }
  await Promise.all(sims.map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });

  bench('inbound_kill_points', lifetimes * APPS, 'kills');
  bench('inbound_messages', total, 'msgs');
  bench('inbound_stored', stored, 'msgs');
  bench('inbound_redelivered_stored', redelivered, 'msgs');
  bench('inbound_lost_after_ack', lost, 'msgs');
  bench('inbound_never_acked', neverAcked, 'msgs');
  bench('inbound_duplicates', duplicates, 'msgs');
  bench('inbound_slow_logins', slowLogins, 'lifetimes');
  bench('inbound_wall', (Date.now() - started) / 1000, 's');
}

const childSpec = process.env.INBOUND_LOSS_CHILD;
if (childSpec) {
  runChild(JSON.parse(childSpec) as AppSpec[]).catch((err: unknown) => {
    process.stderr.write(`inbound-loss child: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
