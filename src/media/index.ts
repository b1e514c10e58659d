/**
 * Media: storage, uploads' backing service, downloads and auto-download. The composition root calls
 * `createMedia(deps)` once; the HTTP routes (src/http/routes/{uploads,media-files,export}.ts) and the MCP
 * tools (src/mcp/tools/media/*) use what it returns. Nothing here imports a delivery layer.
 *
 * Map of files:
 * - `sniff.ts`          MIME from magic bytes, allow-list for declared types, extensions, message kinds
 * - `media-store.ts`    the confined media dir: temp → hash/measure/cap → random name + SQLite row
 * - `signing.ts`        HMAC-signed /media URLs (secret in DATA_DIR/media-url-secret, 0600)
 * - `paths.ts`          media_path confinement (realpath inside MEDIA_DIR / MEDIA_INPUT_DIRS)
 * - `url-fetch.ts`      SSRF-guarded, capped, streamed media_url fetches
 * - `json-upload.ts`    streaming parser for POST /api/upload (base64 decoded straight to disk)
 * - `ffmpeg.ts`         voice-note conversion to ogg/opus
 * - `service.ts`        stage / send / download / describe, shared by routes and tools
 * - `auto-download.ts`  bounded queue following the auto_download_* settings live
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import type { Idempotency } from '../services/idempotency.js';
import type { SettingsStore } from '../settings/index.js';
import type { Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';
import { AutoDownloader } from './auto-download.js';
import { MediaStore } from './media-store.js';
import { MediaService } from './service.js';
import { UrlSigner } from './signing.js';

export interface MediaDeps {
  config: Config;
  store: Store;
  gateway: WhatsAppGateway;
  runtime: Runtime;
  settings: SettingsStore;
  idempotency: Idempotency;
  logger: Logger;
}

export interface Media {
  service: MediaService;
  store: MediaStore;
  signer: UrlSigner;
  autoDownload: AutoDownloader;
  /** Called after the adapter stored new messages (auto-download). */
  onMessages(chatIds: string[]): void;
  close(): Promise<void>;
}

export function createMedia(deps: MediaDeps): Media {
  const { config, store, logger } = deps;
  const mediaStore = new MediaStore(config.mediaDir, store);
  mediaStore.sweepTemps().then(
    (n) => n > 0 && logger.info({ removed: n }, 'removed temp files left by an earlier run'),
    () => undefined,
  );
  const signer = UrlSigner.fromDataDir(config.dataDir);
  const service = new MediaService({ ...deps, media: mediaStore, signer });
  const autoDownload = new AutoDownloader({
    store,
    settings: deps.settings,
    media: service,
    logger,
    concurrency: config.media.autoDownloadConcurrency,
    queueMax: config.media.autoDownloadQueueMax,
  });
  return {
    service,
    store: mediaStore,
    signer,
    autoDownload,
    onMessages: (chatIds) => autoDownload.onMessages(chatIds),
    close: () => autoDownload.close(),
  };
}

export { MediaService } from './service.js';
export { MediaStore } from './media-store.js';
