import { Writable } from 'node:stream';
import makeWASocket, {
  initAuthCreds,
  type AuthenticationState,
  type BaileysEventMap,
  type ConnectionState,
  type UserFacingSocketConfig,
  type WASocket,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { vi } from 'vitest';
import { simulatorSocketConfig, type Simulator } from '../../src/simulator/index.js';
import { makeMemoryKeyStore } from '../../src/simulator/signal/memory-store.js';

/** An in-memory auth state, shared across sockets like a persisted one would be. */
export function memoryAuth(): AuthenticationState {
  return { creds: initAuthCreds(), keys: makeMemoryKeyStore({}) };
}

/** A pino logger whose JSON lines are kept for assertions (Baileys logs are part of its contract). */
export function captureLogger(level: pino.LevelWithSilent = 'info'): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

export const silentLogger = pino({ level: 'silent' });

/** libsignal prints session chatter straight to the console; keep test output clean. */
export function silenceLibsignalConsole(): void {
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation(() => undefined);
  }
}

export const FAST: Partial<UserFacingSocketConfig> = {
  connectTimeoutMs: 4_000,
  defaultQueryTimeoutMs: 4_000,
  keepAliveIntervalMs: 10_000,
  qrTimeout: 10_000,
};

export interface TestSocket {
  sock: WASocket;
  updates: Partial<ConnectionState>[];
  /** Resolves with the status code of the close (undefined when none). */
  closed: Promise<number | undefined>;
}

export function connect(
  sim: Simulator,
  auth: AuthenticationState,
  overrides: Partial<UserFacingSocketConfig> = {},
): TestSocket {
  const sock = makeWASocket({
    ...simulatorSocketConfig(sim, FAST),
    logger: silentLogger,
    ...overrides,
    auth,
  });
  sim.watch(sock);
  const updates: Partial<ConnectionState>[] = [];
  const closed = new Promise<number | undefined>(resolve => {
    sock.ev.on('connection.update', update => {
      updates.push(update);
      if (update.connection === 'close') {
        const error = update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined;
        resolve(error?.output?.statusCode);
      }
    });
  });
  return { sock, updates, closed };
}

/** Resolves with the first event payload matching `predicate`. */
export function waitForEvent<E extends keyof BaileysEventMap>(
  sock: WASocket,
  event: E,
  predicate: (data: BaileysEventMap[E]) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<BaileysEventMap[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.ev.off(event, listener);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    const listener = (data: BaileysEventMap[E]): void => {
      if (!predicate(data)) return;
      clearTimeout(timer);
      sock.ev.off(event, listener);
      resolve(data);
    };
    sock.ev.on(event, listener);
  });
}

export const waitForOpen = (sock: WASocket): Promise<Partial<ConnectionState>> =>
  waitForEvent(sock, 'connection.update', u => u.connection === 'open');

export const waitForQr = async (sock: WASocket): Promise<string> =>
  (await waitForEvent(sock, 'connection.update', u => typeof u.qr === 'string')).qr ?? '';

/**
 * Fresh creds → QR → phone scans → 515 → reconnect with the same auth → open, the way an app
 * must do it. Returns the open socket and the auth to reuse.
 */
export async function pairAndOpen(
  sim: Simulator,
  overrides: Partial<UserFacingSocketConfig> = {},
  /** Runs on the post-515 socket before it opens (attach listeners for first-login events here). */
  beforeOpen: (socket: TestSocket) => void = () => undefined,
): Promise<{ auth: AuthenticationState; socket: TestSocket; restartCode: number | undefined }> {
  const auth = memoryAuth();
  const first = connect(sim, auth, overrides);
  const qr = await waitForQr(first.sock);
  await sim.scanQr(qr);
  const restartCode = await first.closed;
  const socket = connect(sim, auth, overrides);
  beforeOpen(socket);
  await waitForOpen(socket.sock);
  return { auth, socket, restartCode };
}

/** Ends a socket and waits for the close to be processed. */
export async function endSocket(socket: TestSocket): Promise<void> {
  socket.sock.end(undefined);
  await socket.closed;
}

/** Polls `check` until it returns a value (for state collected by event listeners). */
export function until<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = (): void => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(tick, 20);
    };
    tick();
  });
}
