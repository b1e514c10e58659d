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

/**
 * A message that acts on another one or carries structured content (SPEC actions). Targets are stored
 * message ids (`<chatJid>:<keyId>`); the adapter rebuilds the WhatsApp key from the stored copy.
 */
export type OutgoingAction =
  | { kind: 'reaction'; targetId: string; emoji: string }
  | { kind: 'edit'; targetId: string; text: string }
  | { kind: 'revoke'; targetId: string }
  /** By reference to the stored message; with `file`, the media is uploaded again from that local copy. */
  | { kind: 'forward'; sourceId: string; file?: OutgoingMedia }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contact'; displayName: string; vcard: string }
  /** `selectableCount` 1 = single choice, 0 = any number of choices (WhatsApp's "allow multiple answers"). */
  | { kind: 'poll'; question: string; options: string[]; selectableCount: 0 | 1 };

export type PresenceState = 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';

/** App-state changes of one chat; they sync to the phone and the other linked devices. */
export type ChatChange =
  | { kind: 'archive'; on: boolean }
  | { kind: 'pin'; on: boolean }
  /** `until` epoch ms; null unmutes. */
  | { kind: 'mute'; until: number | null }
  | { kind: 'deleteForMe'; messageId: string };

export type GroupParticipantAction = 'add' | 'remove' | 'promote' | 'demote';

/** WhatsApp answers a participant change with one status per JID: `200` done, otherwise an error code. */
export interface ParticipantResult {
  jid: string;
  status: string;
}

export interface GroupSettingsChange {
  subject?: string;
  /** `''` removes the description. */
  description?: string;
  /** Only admins can send messages. */
  announce?: boolean;
  /** Only admins can edit the group info. */
  locked?: boolean;
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
  /** Sends a reaction / edit / revoke / forward / location / contact / poll to `jid`. */
  sendAction(jid: string, action: OutgoingAction): Promise<SentMessage>;
  /** Account-wide presence (`available`/`unavailable`, no jid) or a chat state (typing…) in `jid`. */
  sendPresence(state: PresenceState, jid?: string): Promise<void>;
  /** Creates a group with us as superadmin; participants WhatsApp refused come back with their status. */
  createGroup(subject: string, participants: string[]): Promise<{ group: GroupInfo; refused: ParticipantResult[] }>;
  updateGroupParticipants(jid: string, action: GroupParticipantAction, participants: string[]): Promise<ParticipantResult[]>;
  updateGroupSettings(jid: string, change: GroupSettingsChange): Promise<void>;
  /** The current invite code, or a new one (the old link stops working) when `revoke`. */
  groupInviteCode(jid: string, revoke: boolean): Promise<string>;
  /** Joins by invite code; returns the group JID. */
  joinGroup(code: string): Promise<string>;
  leaveGroup(jid: string): Promise<void>;
  /** Archive / pin / mute a chat, or delete one message only for this account (app-state patch). */
  modifyChat(jid: string, change: ChatChange): Promise<void>;
  /** Blocks (`on`) or unblocks a person. */
  setBlocked(jid: string, on: boolean): Promise<void>;
  /** Sends read receipts for incoming messages (what the phone shows as blue ticks to their senders). */
  readMessages?(keys: ReadonlyArray<ReadKey>): Promise<void>;
  /** Subscribes to a person's / group's presence (typing, online, last seen), which WhatsApp sends only then (#14). */
  subscribePresence?(jid: string): Promise<void>;
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
    sendAction: (jid, action) => current().sendAction(jid, action),
    sendPresence: (state, jid) => current().sendPresence(state, jid),
    createGroup: (subject, participants) => current().createGroup(subject, participants),
    updateGroupParticipants: (jid, action, participants) => current().updateGroupParticipants(jid, action, participants),
    updateGroupSettings: (jid, change) => current().updateGroupSettings(jid, change),
    groupInviteCode: (jid, revoke) => current().groupInviteCode(jid, revoke),
    joinGroup: (code) => current().joinGroup(code),
    leaveGroup: (jid) => current().leaveGroup(jid),
    modifyChat: (jid, change) => current().modifyChat(jid, change),
    setBlocked: (jid, on) => current().setBlocked(jid, on),
    subscribePresence: async (jid) => {
      const g = current();
      if (g.subscribePresence) await g.subscribePresence(jid);
    },
    readMessages: async (keys) => {
      const g = current();
      if (!g.readMessages) throw new NotConnectedError('This WhatsApp backend cannot send read receipts');
      await g.readMessages(keys);
    },
  };
}
