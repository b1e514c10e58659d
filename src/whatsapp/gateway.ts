/**
 * The live operations of the WhatsApp session that services (MCP tools, HTTP routes) may use.
 * Implemented by the Baileys adapter against its current socket. Every method throws
 * {@link NotConnectedError} when there is no open socket; services check the lifecycle state first so
 * callers get a clear, retryable error instead of a hang.
 */
import { AppError } from '../errors.js';

/** No open socket right now; services replace it with the lifecycle-aware message (`notConnected`). */
export class NotConnectedError extends AppError {
  constructor(message = 'WhatsApp is not connected') {
    super('not_connected', message, 'Retry in a few seconds (check_auth_status shows the state)', { retryable: true, retryAfterMs: 5_000 });
    this.name = 'NotConnectedError';
  }
}

export interface SentMessage {
  /** `<chatJid>:<messageKeyId>` */
  id: string;
  chatId: string;
  keyId: string;
  timestamp: number;
}

export interface GroupParticipantInfo {
  jid: string;
  lid?: string;
  phoneJid?: string;
  admin: 'admin' | 'superadmin' | null;
}

export interface GroupInfo {
  id: string;
  subject: string;
  description?: string;
  owner?: string;
  creation?: number;
  participants: GroupParticipantInfo[];
}

export interface OutgoingMedia {
  kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  /** Path of a local file (streamed by Baileys) */
  path: string;
  mimetype: string;
  fileName?: string;
  caption?: string;
  /** voice note (push-to-talk) when kind is audio */
  ptt?: boolean;
}

export interface WhatsAppGateway {
  /** True when a socket is open right now. */
  isConnected(): boolean;
  sendText(jid: string, text: string, opts?: { quotedMessageId?: string }): Promise<SentMessage>;
  sendMedia(jid: string, media: OutgoingMedia, opts?: { quotedMessageId?: string }): Promise<SentMessage>;
  /** Decrypts the media of a stored message (from its raw proto) into `destPath`; returns bytes written. */
  downloadMedia(messageId: string, destPath: string): Promise<{ size: number; mimetype: string }>;
  groupMetadata(jid: string): Promise<GroupInfo>;
  profilePictureUrl(jid: string): Promise<string | null>;
  /** Which of these phone numbers (digits) have WhatsApp, with their JIDs. */
  onWhatsApp(phones: string[]): Promise<{ phone: string; exists: boolean; jid?: string }[]>;
  /** Sends read receipts for incoming messages (what the phone shows as blue ticks to their senders). */
  readMessages?(keys: ReadonlyArray<ReadKey>): Promise<void>;
}

/** One incoming message to mark read: its chat, key id and (in groups) its author. */
export interface ReadKey {
  chatId: string;
  keyId: string;
  participant?: string;
}

/**
 * A gateway that forwards every call to whatever `current()` returns at call time: the composition root
 * hands it out before the backend exists (start() builds the backend) and keeps it across restarts.
 */
export function forwardingGateway(current: () => WhatsAppGateway): WhatsAppGateway {
  return {
    isConnected: () => current().isConnected(),
    sendText: (jid, text, opts) => current().sendText(jid, text, opts),
    sendMedia: (jid, media, opts) => current().sendMedia(jid, media, opts),
    downloadMedia: (messageId, destPath) => current().downloadMedia(messageId, destPath),
    groupMetadata: (jid) => current().groupMetadata(jid),
    profilePictureUrl: (jid) => current().profilePictureUrl(jid),
    onWhatsApp: (phones) => current().onWhatsApp(phones),
    readMessages: async (keys) => {
      const g = current();
      if (!g.readMessages) throw new NotConnectedError('This WhatsApp backend cannot send read receipts');
      await g.readMessages(keys);
    },
  };
}
