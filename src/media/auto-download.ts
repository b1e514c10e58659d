/**
 * Auto-download (SPEC §9): after the adapter stores new messages it calls `onMessages(chatIds)`; media
 * messages of those chats that arrived since this process started (minus a minute of slack, so
 * history sync does not download the whole archive) and have no stored file are queued. The queue is
 * bounded (`WA_AUTO_DOWNLOAD_QUEUE_MAX`; overflow is dropped and counted), runs
 * `WA_AUTO_DOWNLOAD_CONCURRENCY` downloads at a time, skips files over `auto_download_max_mb`, and
 * follows the `auto_download_media` setting live (turning it off also drops what is queued).
 */
import type { Logger } from '../logger.js';
import type { SettingsStore } from '../settings/index.js';
import type { Store } from '../store/index.js';
import { MB } from './media-store.js';
import type { MediaService } from './service.js';

export interface AutoDownloadStats {
  enabled: boolean;
  queued: number;
  running: number;
  done: number;
  failed: number;
  skipped: number;
  dropped: number;
}

export class AutoDownloader {
  private readonly queue: string[] = [];
  private readonly seen = new Map<string, true>();
  private running = 0;
  private closed = false;
  private readonly stats = { done: 0, failed: 0, skipped: 0, dropped: 0 };
  private readonly since: number;
  private readonly off: () => void;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: { store: Store; settings: SettingsStore; media: MediaService; logger: Logger; concurrency: number; queueMax: number; now?: () => number },
  ) {
    this.since = (deps.now ?? Date.now)() - 60_000;
    this.off = deps.settings.subscribe((next, prev) => {
      if (prev.auto_download_media && !next.auto_download_media) {
        this.stats.dropped += this.queue.length;
        this.queue.length = 0;
      }
    });
  }

  getStats(): AutoDownloadStats {
    return { enabled: this.deps.settings.get().auto_download_media, queued: this.queue.length, running: this.running, ...this.stats };
  }

  onMessages(chatIds: readonly string[]): void {
    if (this.closed || !this.deps.settings.get().auto_download_media) return;
    for (const chat of new Set(chatIds)) {
      let ids: string[];
      try {
        ids = this.deps.store.messages.mediaWithoutFile(chat, this.since, 100);
      } catch (err) {
        this.deps.logger.warn({ err }, 'auto-download query failed');
        return;
      }
      // Oldest first; start downloads as they are queued so free slots never count against the queue.
      for (const id of ids) {
        this.enqueue(id);
        this.pump();
      }
    }
  }

  private enqueue(id: string): void {
    if (this.seen.has(id)) return;
    if (this.queue.length >= this.deps.queueMax) {
      this.stats.dropped++;
      return;
    }
    this.seen.set(id, true);
    if (this.seen.size > 50_000) {
      const first = this.seen.keys().next().value;
      if (first !== undefined) this.seen.delete(first);
    }
    this.queue.push(id);
  }

  private pump(): void {
    while (!this.closed && this.running < this.deps.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.running++;
      const maxBytes = this.deps.settings.get().auto_download_max_mb * MB;
      this.deps.media
        .download(id, { maxBytes })
        .then(
          () => this.stats.done++,
          (err: unknown) => {
            if ((err as { code?: string }).code === 'too_large') this.stats.skipped++;
            else {
              this.stats.failed++;
              this.deps.logger.warn({ err, messageId: id }, 'auto-download failed');
            }
          },
        )
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            for (const f of w) f();
          }
        });
    }
  }

  /** Resolves when nothing is queued or running (shutdown, tests). */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking work and waits (at most `waitMs`) for running downloads. */
  async close(waitMs = 5_000): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.off();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }
}
