import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openStore, type MessageInput, type OpenStoreOptions, type Store } from '../../src/store/index.js';

export interface TempStore {
  store: Store;
  dir: string;
  path: string;
  reopen(opts?: OpenStoreOptions): Store;
  cleanup(): void;
}

/** A store in a fresh temp dir (real SQLite file). */
export function tempStore(opts: OpenStoreOptions = {}): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'wa-store-'));
  const path = join(dir, 'store.sqlite');
  const t: TempStore = {
    store: openStore(path, opts),
    dir,
    path,
    reopen(o = opts) {
      t.store.close();
      t.store = openStore(path, o);
      return t.store;
    },
    cleanup() {
      t.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'wa-store-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh database path per test in the enclosing describe (its directory removed after each test). */
export function tempDbPerTest(): { readonly path: string } {
  let d: ReturnType<typeof tempDir> | undefined;
  let path = '';
  beforeEach(() => {
    d = tempDir();
    path = join(d.dir, 'store.sqlite');
  });
  afterEach(() => d?.cleanup());
  return {
    get path() {
      return path;
    },
  };
}

let seq = 0;
/** A text message with sensible defaults. */
export function msg(chatId: string, body: string, over: Partial<MessageInput> = {}): MessageInput {
  seq++;
  return {
    chatId,
    keyId: `K${seq.toString(16).toUpperCase().padStart(8, '0')}`,
    fromMe: false,
    timestamp: 1_700_000_000_000 + seq * 1000,
    type: 'text',
    body,
    ...over,
  };
}

export const ALICE = '447911123456@s.whatsapp.net';
export const ALICE_LID = '123456789012345@lid';
export const BOB = '14155550123@s.whatsapp.net';
export const GROUP = '120363000000000001@g.us';
