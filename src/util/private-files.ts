/**
 * Everything the server writes under DATA_DIR is private to its user: the SQLite store holds the WhatsApp
 * credentials (noise and identity private keys, pre-keys), and the tokens, settings and media follow.
 * New files get 0600 (explicit modes, plus a 077 umask set by the entry points as defence in depth);
 * files and the directory left readable by an earlier version or a `mkdir -p` are tightened at start,
 * with a warning that names them.
 */
import { chmodSync, closeSync, existsSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

const OPEN_TO_OTHERS = 0o077;

/** Creates `path` empty with mode 0600 if it does not exist (SQLite's -wal/-shm then inherit the mode). */
export function ensurePrivateFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
}

/** chmod 0700 on `dir` and 0600 on the files directly in it that group or others can read; returns what changed. */
export function tightenDataDir(dir: string, log: Logger): string[] {
  const fixed: string[] = [];
  const fix = (path: string, mode: number) => {
    const st = statSync(path);
    if ((st.mode & OPEN_TO_OTHERS) !== 0) {
      chmodSync(path, mode);
      fixed.push(path);
    }
  };
  fix(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile()) fix(path, 0o600);
    else if (entry.isDirectory()) fix(path, 0o700);
  }
  if (fixed.length > 0) log.warn({ files: fixed }, 'data files were readable by other users; restricted them to the owner');
  return fixed;
}
