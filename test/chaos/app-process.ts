/**
 * The real application in a process of its own, for tests that crash it (SIGKILL) and start it again on
 * the same DATA_DIR, against a simulator living in the test process (as WhatsApp's servers outlive our
 * process). Spawned with `node --import tsx test/chaos/app-process.ts` and APP_PROCESS={dataDir, url, env, socket}.
 * Over IPC it reports every lifecycle status (with the QR string, so the simulated phone can scan it) and
 * transition, and unhandled rejections; it takes `send` (gateway.sendText) and `restart` commands.
 * SIGTERM stops it gracefully. A spare (APP_PROCESS_SPARE=1) loads every module and waits for a `start`
 * command before it opens the store, so a crashed app is replaced in a fraction of a second.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createApp } from '../../src/app.js';
import { SIMULATOR_WA_VERSION, trustSimulatorRoot } from '../../src/simulator/index.js';

/** What the app process reports to its parent. */
export type AppProcessReport =
  | { type: 'status'; state: string; since: number; reason: string | null; qr: string | null }
  | { type: 'transition'; at: number }
  | { type: 'sent'; req: number; ok: boolean }
  | { type: 'unhandled'; error: string }
  /** A spare has loaded and listens for `start`. */
  | { type: 'ready' }
  /** The HTTP server listens (MCP at url + /mcp). */
  | { type: 'listening'; url: string };
/** What the parent asks of the app process; `start` brings a spare (spawned with APP_PROCESS_SPARE=1) up. */
export type AppProcessCommand =
  | { type: 'send'; req: number; jid: string; text: string }
  | { type: 'restart' }
  | { type: 'start'; spec: AppProcessSpec };

export interface AppProcessSpec {
  dataDir: string;
  /** The simulator's WebSocket URL. */
  url: string;
  env: Record<string, string>;
  socket: Record<string, number>;
}

async function run(spec: AppProcessSpec): Promise<void> {
  // libsignal prints session chatter straight to the console.
  for (const m of ['log', 'info', 'warn', 'error'] as const) console[m] = () => undefined;
  process.umask(0o077);
  trustSimulatorRoot();
  const config = loadConfig({ SEND_MODE: 'allow', SEND_APPROVE_NEW_RECIPIENTS: '0', SEND_PACING: '0', ...spec.env, DATA_DIR: spec.dataDir, PORT: '0', HOST: '127.0.0.1' }, []);
  const app = createApp(config, silentLogger(), {
    socketConfig: { waWebSocketUrl: spec.url, version: SIMULATOR_WA_VERSION, markOnlineOnConnect: false, ...spec.socket },
  });
  const report = (r: AppProcessReport) => process.send?.(r);
  process.on('unhandledRejection', (err) => report({ type: 'unhandled', error: String(err) }));
  app.runtime.subscribe((change) => {
    if (change.type === 'status') report({ type: 'status', state: change.status.state, since: change.status.since, reason: change.status.reason ?? null, qr: change.status.qr });
    else report({ type: 'transition', at: change.transition.at });
  });
  process.on('message', (cmd: AppProcessCommand) => {
    if (cmd.type === 'restart') app.runtime.send({ type: 'RESTART' });
    else if (cmd.type === 'send') {
      app.gateway.sendText(cmd.jid, cmd.text).then(
        () => report({ type: 'sent', req: cmd.req, ok: true }),
        () => report({ type: 'sent', req: cmd.req, ok: false }),
      );
    }
  });
  process.on('SIGTERM', () => {
    void app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  const { url } = await app.start();
  report({ type: 'listening', url });
  const status = app.runtime.getStatus();
  report({ type: 'status', state: status.state, since: status.since, reason: status.reason ?? null, qr: status.qr });
}

const fail = (err: unknown) => {
  process.stderr.write(`app-process: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
};
const raw = process.env.APP_PROCESS;
if (raw) run(JSON.parse(raw) as AppProcessSpec).catch(fail);
else if (process.env.APP_PROCESS_SPARE) {
  const onStart = (cmd: AppProcessCommand) => {
    if (cmd.type !== 'start') return;
    process.off('message', onStart);
    run(cmd.spec).catch(fail);
  };
  process.on('message', onStart);
  process.send?.({ type: 'ready' } satisfies AppProcessReport);
}
