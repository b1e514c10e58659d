import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/index.js';
import { tempDir } from './helpers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const child = join(here, 'fixtures', 'crash-child.ts');
const BATCH = 3000;

/** Run the child until it has committed `minDone` batches in this run, then SIGKILL it right after it starts the next one. */
function runAndKill(path: string, minDone: number): Promise<{ signal: NodeJS.Signals | null; done: number[]; started: number[] }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, path, String(BATCH)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const done: number[] = [];
    const started: number[] = [];
    let buf = '';
    let err = '';
    let killed = false;
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [what, n] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        (what === 'done' ? done : started).push(Number(n));
        // Kill while a batch transaction is open: just after "start", before its "done".
        if (!killed && what === 'start' && done.length >= minDone) {
          killed = true;
          p.kill('SIGKILL');
        }
      }
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (!killed) reject(new Error(`child exited on its own (code ${code}): ${err}`));
      else resolve({ signal, done, started });
    });
  });
}

describe('crash safety', () => {
  let d: ReturnType<typeof tempDir>;
  beforeEach(() => {
    d = tempDir();
  });
  afterEach(() => d.cleanup());

  it('a SIGKILL during batch ingest leaves an intact DB holding whole batches only', async () => {
    const path = join(d.dir, 'crash.sqlite');
    let committed = 0;
    let interrupted = 0;
    for (let round = 0; round < 3; round++) {
      const r = await runAndKill(path, 2 + round);
      expect(r.signal).toBe('SIGKILL');
      committed += r.done.length;

      const raw = new Database(path);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(() => raw.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`).run()).not.toThrow();
      const perBatch = raw
        .prepare(`SELECT substr(key_id, 2, instr(key_id, '-') - 2) AS batch, count(*) AS n FROM messages GROUP BY batch`)
        .all() as Array<{ batch: string; n: number }>;
      raw.close();
      // every stored batch is complete; no batch is partially present
      for (const b of perBatch) expect(b.n, `batch ${b.batch}`).toBe(BATCH);
      // everything the child reported as committed is there (the killed batch may or may not be)
      expect(perBatch.length).toBeGreaterThanOrEqual(committed);
      expect(perBatch.length).toBeLessThanOrEqual(committed + 1);
      const killedBatch = r.started[r.started.length - 1]!;
      if (!perBatch.some((b) => Number(b.batch) === killedBatch)) interrupted++;
      committed = perBatch.length;

      const s = openStore(path);
      const c = s.counters.get();
      expect(c.messages).toBe(committed * BATCH);
      expect(s.counters.recount().messages).toBe(c.messages);
      expect(s.messages.countMatches('crash safety')).toBe(c.messages);
      expect(s.messages.countMatches('东京')).toBe(c.messages);
      s.close();
    }
    // The kill really landed inside open transactions (the batch being written was rolled back).
    expect(interrupted).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
