/**
 * WA_EVENT_STREAM: the JSONL lifecycle record written by attachEventStream, driven by the real runtime with
 * a scripted engine. One JSON object per line with a timestamp, transitions and status changes, never the
 * QR string, file mode 0600, rotation to `.1` at the size cap.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../machines/types.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { attachEventStream, createRuntime, type EventStream, type Runtime } from '../../src/runtime/index.js';
import { eventually } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

const ME = { id: '447700900000@s.whatsapp.net' };
const QR = 'qr-secret-2@AbCdEf,GhIjKl==';
let dir: string;
let runtime: Runtime | undefined;
let stream: EventStream | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wa-events-'));
});
afterEach(() => {
  stream?.close();
  runtime?.stop();
  stream = runtime = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function start(path: string, maxBytes?: number) {
  const engine = scriptedEngine();
  runtime = createRuntime({
    lifecycle: { ...DEFAULT_LIFECYCLE_CONFIG, backoffBaseMs: 60_000, backoffMaxMs: 60_000 },
    engine: engine.factory,
    logger: silentLogger(),
  });
  stream = attachEventStream(runtime, { path, maxBytes });
  runtime.start();
  return { engine, runtime };
}

type Line = { ts: string; kind: 'transition' | 'status'; event?: string; to?: string[]; status?: { state: string; qrAvailable: boolean } };
const lines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

describe('attachEventStream', () => {
  it('appends transitions and status changes as timestamped JSON lines, without the QR string, mode 0600', async () => {
    const path = join(dir, 'sub', 'lifecycle-events.jsonl');
    const { engine, runtime: r } = start(path);
    engine.emit({ type: 'ENGINE.QR', qr: QR });
    await r.waitFor((s) => s.state === 'awaiting-qr', 1_000);
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await r.waitFor((s) => s.state === 'open', 1_000);
    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'lost', selfInflicted: false });
    // The status change is published from a microtask after the transition: wait for its line.
    await eventually(() => lines(path).at(-1)?.status?.state === 'connecting');
    expect(r.getSummary().state).toBe('connecting');

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(QR);
    expect(text).not.toContain('qr-secret');
    const all = lines(path);
    for (const l of all) expect(Number.isNaN(Date.parse(l.ts))).toBe(false);
    const transitions = all.filter((l) => l.kind === 'transition');
    expect(transitions.map((l) => l.event)).toEqual(['ENGINE.QR', 'ENGINE.OPEN', 'ENGINE.CLOSED']);
    expect(transitions[2]).toMatchObject({ actor: 'connection', from: ['connection.open'], to: ['connection.connecting.backoff'], code: 428, reason: 'lost' });
    const states = all.filter((l) => l.kind === 'status').map((l) => l.status!.state);
    expect(states).toEqual(expect.arrayContaining(['connecting', 'awaiting-qr', 'open']));
    expect(all.find((l) => l.status?.state === 'awaiting-qr')?.status).toMatchObject({ qrAvailable: true });
  });

  it('appends to an existing file and tightens its mode to 0600', async () => {
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, '{"kind":"old"}\n');
    chmodSync(path, 0o644);
    const { engine, runtime: r } = start(path);
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await r.waitFor((s) => s.state === 'open', 1_000);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('{"kind":"old"}\n')).toBe(true);
    expect(lines(path).some((l) => l.event === 'ENGINE.OPEN')).toBe(true);
  });

  it('rotates to .1 before a line would pass the size cap, keeping every line whole', async () => {
    const path = join(dir, 'events.jsonl');
    const maxBytes = 2_000;
    const { engine, runtime: r } = start(path, maxBytes);
    for (let i = 0; i < 40; i++) engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: `lost ${i}`, selfInflicted: false });
    await eventually(() => lines(path).at(-1)?.kind === 'status');
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(statSync(path).size).toBeLessThanOrEqual(maxBytes);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(maxBytes);
    expect(statSync(`${path}.1`).mode & 0o777).toBe(0o600);
    // Both files parse line by line, the rotated one holds the older lines, and the newest status is current.
    const current = lines(path);
    const rotated = lines(`${path}.1`);
    expect(rotated.length).toBeGreaterThan(0);
    expect(Date.parse(rotated.at(-1)!.ts)).toBeLessThanOrEqual(Date.parse(current[0]!.ts));
    expect(current.at(-1)).toMatchObject({ kind: 'status', status: { state: 'connecting', lastDisconnect: r.getSummary().lastDisconnect } });
  });

  it('writes nothing after close', async () => {
    const path = join(dir, 'events.jsonl');
    const { engine, runtime: r } = start(path);
    await eventually(() => statSync(path).size > 0); // the boot status
    stream!.close();
    const size = statSync(path).size;
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    // Resolves on the status change, which a still-subscribed stream would have written already.
    await r.waitFor((s) => s.state === 'open', 1_000);
    expect(statSync(path).size).toBe(size);
  });
});

describe('config', () => {
  it('defaults WA_EVENT_STREAM_PATH to DATA_DIR/lifecycle-events.jsonl and parses the switches', () => {
    const c = loadConfig({ DATA_DIR: dir, WA_EVENT_STREAM: '1', WA_EVENT_LOG: 'true' }, []);
    expect(c.whatsapp).toMatchObject({ eventStream: true, eventLog: true, eventStreamPath: join(dir, 'lifecycle-events.jsonl') });
    expect(loadConfig({ DATA_DIR: dir, WA_EVENT_STREAM_PATH: join(dir, 'x.jsonl') }, []).whatsapp).toMatchObject({
      eventStream: false,
      eventLog: false,
      eventStreamPath: join(dir, 'x.jsonl'),
    });
  });
});
