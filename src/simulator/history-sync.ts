import { promisify } from 'node:util';
import { constants, deflate } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import type { SimulatorCore } from './core.js';
import { deliverFromPhone } from './deliver.js';
import { historyChunks, type HistoryChunk } from './history-stream.js';
import { encryptMedia } from './media/crypto.js';
import type { DeviceRecord } from './state.js';
import type { HistoryStreamOptions } from './types.js';

const deflateAsync = promisify(deflate);

/** Acknowledged chunks whose blobs are kept for a download that may still come. */
const UNFETCHED_KEEP = 8;

/** Payload of the simulator's `history-chunk` event. */
export interface HistoryChunkEvent {
  device: number;
  /** Id of the HISTORY_SYNC_NOTIFICATION message that announced the chunk. */
  id: string;
  syncType: string;
  chunkOrder: number;
  progress: number | undefined;
  messages: number;
  conversations: number;
  pushNames: number;
  /** Size of the zlib-compressed HistorySync (what `fileLength` says). */
  bytes: number;
}

/** Payload of the simulator's `history-complete` event. */
export interface HistoryCompleteEvent {
  device: number;
  chunks: number;
  messages: number;
  pushNames: number;
}

/** The notification a phone sends for one uploaded chunk: where the blob is and how to decrypt it. */
function notificationFor(chunk: HistoryChunk, media: { directPath: string; mediaKey: Buffer; fileSha256: Buffer; fileEncSha256: Buffer; fileLength: number }): proto.IMessage {
  const oldest = chunk.sync.conversations
    ?.flatMap(c => c.messages ?? [])
    .reduce((min, m) => Math.min(min, Number(m.message?.messageTimestamp ?? Infinity)), Infinity);
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        ...media,
        syncType: chunk.sync.syncType,
        chunkOrder: chunk.sync.chunkOrder,
        ...(chunk.sync.progress !== undefined && chunk.sync.progress !== null ? { progress: chunk.sync.progress } : {}),
        ...(oldest !== undefined && Number.isFinite(oldest) ? { oldestMsgInChunkTimestampSec: oldest } : {}),
      },
    },
  };
}

/**
 * The phone uploads the account's history for a newly linked companion, as WhatsApp does: each
 * chunk is a `proto.HistorySync`, zlib-deflated, encrypted like media (`md-msg-hist` keys), put on
 * the media host under a direct path, and announced by a HISTORY_SYNC_NOTIFICATION from the phone.
 * Baileys fetches `https://mmg.whatsapp.net<directPath>` (through the simulator's dispatcher),
 * decrypts, inflates and emits `messaging-history.set`.
 *
 * Flow control: at most `window` notifications unacknowledged at once, so the stream is pulled
 * only as fast as the device takes it (a device that goes offline pauses the upload; its queued
 * notifications are redelivered on the next login). A chunk's blob is dropped once the device has
 * downloaded it after acknowledging the notification.
 */
export async function streamHistory(sim: SimulatorCore, device: DeviceRecord, options: HistoryStreamOptions): Promise<void> {
  const window = Math.max(1, options.window ?? 2);
  const inFlight = new Set<Promise<void>>();
  /** Acknowledged chunks' blobs, oldest first: a client that skips a sync type never fetches them. */
  const released: string[] = [];
  let stopped = false;
  let chunks = 0;
  let messages = 0;
  let pushNames = 0;
  const source = options.source();
  const stream = historyChunks(source, {
    messagesPerChunk: options.messagesPerChunk,
    pushNamesPerChunk: options.pushNamesPerChunk,
    recentChunks: options.recentChunks,
    totalMessages: options.totalMessages,
    ownMappings: [{ pnJid: sim.phone.jid, lidJid: sim.phone.lidJid }],
  });
  for await (const chunk of stream) {
    while (inFlight.size >= window) await Promise.race(inFlight);
    if (stopped || sim.state.devices.get(device.device) !== device) return; // simulator stopped, or unlinked
    // Fastest zlib level: the blob is a little larger, the phone-side CPU (shared with the app in a
    // benchmark) much smaller; inflating costs the client the same either way.
    const compressed = await deflateAsync(proto.HistorySync.encode(chunk.sync).finish(), { level: constants.Z_BEST_SPEED });
    const encrypted = await encryptMedia(compressed, 'md-msg-hist');
    const { id: blob, directPath } = sim.media.putDirect(encrypted.file);
    const message = notificationFor(chunk, {
      directPath,
      mediaKey: encrypted.mediaKey,
      fileSha256: encrypted.fileSha256,
      fileEncSha256: encrypted.fileEncSha256,
      fileLength: encrypted.fileLength,
    });
    const id = await deliverFromPhone(sim, device, message);
    const done: Promise<void> = sim.outbox.acked(device, `message|${id}`).then(
      () => {
        inFlight.delete(done);
        // Baileys acknowledges before it downloads: the blob goes after its download, or when
        // enough newer chunks were acknowledged that it is clearly never coming.
        sim.media.release(blob);
        released.push(blob);
        for (const old of released.splice(0, Math.max(0, released.length - UNFETCHED_KEEP))) sim.media.remove(old);
      },
      () => {
        inFlight.delete(done);
        stopped = true;
      },
    );
    inFlight.add(done);
    chunks++;
    messages += chunk.messages;
    pushNames += chunk.pushNames;
    const event: HistoryChunkEvent = {
      device: device.device,
      id,
      syncType: proto.HistorySync.HistorySyncType[chunk.sync.syncType ?? 0] ?? String(chunk.sync.syncType),
      chunkOrder: chunk.sync.chunkOrder ?? 0,
      progress: chunk.sync.progress ?? undefined,
      messages: chunk.messages,
      conversations: chunk.conversations,
      pushNames: chunk.pushNames,
      bytes: compressed.length,
    };
    sim.emit('history-chunk', event);
  }
  await Promise.all(inFlight);
  if (stopped) return;
  const complete: HistoryCompleteEvent = { device: device.device, chunks, messages, pushNames };
  sim.emit('history-complete', complete);
}
