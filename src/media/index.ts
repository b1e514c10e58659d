/**
 * Media, settings and the admin data routes. The composition root calls `createMediaServices(deps)`
 * once and mounts what it returns: `apiRouters` under /api behind the admin credential (JSON bodies up
 * to 1 MB already parsed), `rawRouters` at the root before any body parser, behind the Host check only
 * (they authenticate themselves: uploads accept the upload token, /media accepts signed URLs).
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
 * - `mcp-tools.ts`      send_media, download_media, stage_media
 * Routes live in src/http/routes/{qr,chats,avatar,export,settings,uploads,media-files}.ts; user docs
 * (curl examples for the README) in ./README.md.
 */
import type { Router } from 'express';
import type { SessionStore } from '../auth/sessions.js';
import type { Tokens } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { avatarRoutes } from '../http/routes/avatar.js';
import { chatsRoutes } from '../http/routes/chats.js';
import { exportRoutes } from '../http/routes/export.js';
import { mediaFileRoutes } from '../http/routes/media-files.js';
import { qrRoutes } from '../http/routes/qr.js';
import { settingsRoutes } from '../http/routes/settings.js';
import { uploadRoutes } from '../http/routes/uploads.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/index.js';
import { createSettingsStore, type SettingsStore } from '../settings/index.js';
import type { Store } from '../store/index.js';
import type { WhatsAppGateway } from '../whatsapp/gateway.js';
import { AutoDownloader } from './auto-download.js';
import type { MediaToolDeps } from './mcp-tools.js';
import { MediaStore } from './media-store.js';
import { MediaService } from './service.js';
import { UrlSigner } from './signing.js';

export { registerMediaTools, registerSendMediaTool, registerDownloadMediaTool, registerStageMediaTool, type MediaToolDeps } from './mcp-tools.js';

export interface MediaDeps {
  config: Config;
  store: Store;
  gateway: WhatsAppGateway;
  runtime: Runtime;
  tokens: Tokens;
  sessions: SessionStore;
  logger: Logger;
}

export interface MediaServices {
  apiRouters: Router[];
  rawRouters: Router[];
  /** Called by the adapter after messages are stored (auto-download). */
  onMessages(chatIds: string[]): void;
  close(): Promise<void>;
  /** Live runtime settings (SPEC §5); pass `settings` to the MCP services for `auto_select_contact`. */
  settings: SettingsStore;
  service: MediaService;
  mediaStore: MediaStore;
  autoDownload: AutoDownloader;
  /** What `registerMediaTools(server, media.tools)` needs. */
  tools: MediaToolDeps;
}


export function createMediaServices(deps: MediaDeps): MediaServices {
  const { config, store, logger } = deps;
  const settings = createSettingsStore({ config, logger: logger.child({ part: 'settings' }) });
  const mediaStore = new MediaStore(config.mediaDir, store);
  mediaStore.sweepTemps().then(
    (n) => n > 0 && logger.info({ removed: n }, 'removed temp files left by an earlier run'),
    () => undefined,
  );
  const signer = UrlSigner.fromDataDir(config.dataDir);
  const service = new MediaService({ config, store, gateway: deps.gateway, runtime: deps.runtime, logger, settings, media: mediaStore, signer });
  const autoDownload = new AutoDownloader({
    store,
    settings,
    media: service,
    logger,
    concurrency: config.media.autoDownloadConcurrency,
    queueMax: config.media.autoDownloadQueueMax,
  });

  const apiRouters = [
    settingsRoutes(settings),
    qrRoutes(deps.runtime),
    chatsRoutes(store),
    avatarRoutes(store, deps.gateway),
    exportRoutes({ store, media: mediaStore, logger }),
  ];
  const rawRouters = [
    uploadRoutes({ tokens: deps.tokens, sessions: deps.sessions, settings, service }),
    mediaFileRoutes({ tokens: deps.tokens, sessions: deps.sessions, media: mediaStore, signer }),
  ];

  const services: MediaServices = {
    apiRouters,
    rawRouters,
    onMessages: (chatIds) => autoDownload.onMessages(chatIds),
    async close() {
      await autoDownload.close();
      service.close();
    },
    settings,
    service,
    mediaStore,
    autoDownload,
    tools: { service, runtime: deps.runtime, logger, jsonResponse: config.mcp.jsonResponse },
  };
  return services;
}
