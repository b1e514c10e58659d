/** The auto-download queue: bounded, concurrency-limited, following the settings live (real store, real settings file). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { AutoDownloader } from '../../src/media/auto-download.js';
import type { DownloadResult, MediaService } from '../../src/media/service.js';
import { createSettingsStore } from '../../src/settings/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { eventually } from '../helpers/app.js';

let dir: string | undefined;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

const CHAT = '447700900123@s.whatsapp.net';

it('queues at most WA_AUTO_DOWNLOAD_QUEUE_MAX, runs WA_AUTO_DOWNLOAD_CONCURRENCY at a time, and stops when the setting goes off', async () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-auto-'));
  store = openStore(join(dir, 'store.sqlite'));
  const config = loadConfig({ DATA_DIR: dir, AUTO_DOWNLOAD_MEDIA: '0', AUTO_DOWNLOAD_MAX_MB: '7' }, []);
  const settings = createSettingsStore({ config, logger: silentLogger() });

  // The download side is a controllable stand-in: each call waits until the test releases it.
  const calls: Array<{ id: string; maxBytes?: number; release: () => void }> = [];
  const media = {
    download: (id: string, opts: { maxBytes?: number }) =>
      new Promise<DownloadResult>((resolve) => calls.push({ id, maxBytes: opts.maxBytes, release: () => resolve({} as DownloadResult) })),
  } as unknown as MediaService;
  const auto = new AutoDownloader({ store, settings, media, logger: silentLogger(), concurrency: 2, queueMax: 3 });

  const now = Date.now();
  store.messages.upsertMessages([
    // Old history (before this process started): never auto-downloaded.
    { chatId: CHAT, keyId: 'OLD', fromMe: false, timestamp: now - 3_600_000, type: 'image', hasMedia: true },
    ...Array.from({ length: 8 }, (_, i) => ({ chatId: CHAT, keyId: `M${i}`, fromMe: false, timestamp: now + i, type: 'image', hasMedia: true })),
    { chatId: CHAT, keyId: 'TXT', fromMe: false, timestamp: now + 100, type: 'text', body: 'no media' },
  ]);

  auto.onMessages([CHAT]);
  expect(calls).toHaveLength(0); // setting off
  settings.update({ auto_download_media: true });
  auto.onMessages([CHAT]);
  expect(calls.map((c) => c.id)).toEqual([`${CHAT}:M0`, `${CHAT}:M1`]);
  expect(calls[0]!.maxBytes).toBe(7 * 1024 * 1024);
  expect(auto.getStats()).toMatchObject({ running: 2, queued: 3, dropped: 3 });

  // The same messages again: nothing is queued twice.
  auto.onMessages([CHAT]);
  expect(auto.getStats()).toMatchObject({ running: 2, queued: 3 });

  calls[0]!.release();
  await eventually(() => calls.length === 3);
  expect(calls[2]!.id).toBe(`${CHAT}:M2`);

  // Off again: what is queued is dropped; running downloads finish.
  settings.update({ auto_download_media: false });
  expect(auto.getStats()).toMatchObject({ queued: 0, running: 2 });
  for (const c of calls) c.release();
  await auto.idle();
  expect(calls).toHaveLength(3);
  expect(calls.some((c) => c.id.endsWith(':OLD') || c.id.endsWith(':TXT'))).toBe(false);
  await auto.close();
});
