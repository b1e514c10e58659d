/**
 * `WA_EVENT_STREAM=1` (SPEC §6): an append-only JSONL record of the lifecycle, one object per line:
 *
 *   {"ts":"2026-01-01T00:00:00.000Z","kind":"transition","actor":"connection","event":"ENGINE.CLOSED","from":[…],"to":[…]}
 *   {"ts":"…","kind":"status","status":{…the status summary of /api/status…}}
 *
 * A runtime subscriber, so it sees exactly what the SSE stream sees. Nothing secret is written: the status
 * summary never holds the QR string, and transitions carry only the event type. The file is created 0600
 * (an existing one is tightened) and rotated to `<path>.1` before a line would take it past `maxBytes`.
 * Writes are synchronous appends: lifecycle events are rare, the order is kept, and a line written is in
 * the OS's hands even if the process dies right after.
 */
import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
import type { Runtime, RuntimeChange } from './index.js';

export const EVENT_STREAM_MAX_BYTES = 10 * 1024 * 1024;

export interface EventStreamOptions {
  /** The JSONL file (config: `whatsapp.eventStreamPath`, default `DATA_DIR/lifecycle-events.jsonl`). */
  path: string;
  /** Rotate before the file would exceed this many bytes (default 10 MB). */
  maxBytes?: number;
  logger?: Logger;
}

export interface EventStream {
  /** Stops listening and closes the file. */
  close(): void;
}

function record(change: RuntimeChange): Record<string, unknown> {
  if (change.type === 'transition') {
    // Every field of the transition (the close code, reason and delay included), the time as ISO first.
    const { at, ...rest } = change.transition;
    return { ts: new Date(at).toISOString(), kind: 'transition', ...rest };
  }
  return { ts: new Date().toISOString(), kind: 'status', status: change.summary };
}

export function attachEventStream(runtime: Pick<Runtime, 'subscribe'>, opts: EventStreamOptions): EventStream {
  const maxBytes = opts.maxBytes ?? EVENT_STREAM_MAX_BYTES;
  mkdirSync(dirname(opts.path), { recursive: true, mode: 0o700 });
  let fd: number | null = null;
  let size = 0;
  let failing = false;

  const open = () => {
    fd = openSync(opts.path, 'a', 0o600);
    // The mode above applies only when the file is created; tighten one that already existed.
    fchmodSync(fd, 0o600);
    size = fstatSync(fd).size;
  };
  const rotate = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
    renameSync(opts.path, `${opts.path}.1`);
    open();
  };

  open();
  const off = runtime.subscribe((change) => {
    if (fd === null) return;
    const line = `${JSON.stringify(record(change))}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      if (size > 0 && size + bytes > maxBytes) rotate();
      if (fd === null) return;
      writeSync(fd, line);
      size += bytes;
      failing = false;
    } catch (err) {
      // A full disk must not take the lifecycle down; say so once per failing stretch.
      if (!failing) opts.logger?.warn({ err, path: opts.path }, 'lifecycle event stream: write failed');
      failing = true;
    }
  });

  return {
    close() {
      off();
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
