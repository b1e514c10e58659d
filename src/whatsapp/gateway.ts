/**
 * The live operations of the WhatsApp session that services (MCP tools, HTTP routes) may use.
 * Implemented by the Baileys adapter against its current socket. Every method throws
 * {@link NotConnectedError} when there is no open socket; services check the lifecycle state first so
 * callers get a clear, retryable error instead of a hang.
 */

export class NotConnectedError extends Error {
  readonly code = 'not_connected';
  constructor(message = 'WhatsApp is not connected') {
    super(message);
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
}
