/** Resource URIs of SPEC §3. */
export const CONNECTION_URI = 'whatsapp://connection';
export const CHATS_URI = 'whatsapp://chats';
export const MESSAGES_TEMPLATE = 'whatsapp://chats/{jid}/messages';

export function messagesUri(jid: string): string {
  return `whatsapp://chats/${encodeURIComponent(jid)}/messages`;
}

/** The chat id of a `whatsapp://chats/{jid}/messages` URI (percent-decoded), or null. */
export function chatIdFromMessagesUri(uri: string): string | null {
  const m = /^whatsapp:\/\/chats\/([^/]+)\/messages$/.exec(uri);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}

/** One chat with its live presence (#14): updated on presence changes and new messages. */
export const CHAT_TEMPLATE = 'whatsapp://chats/{jid}';

export function chatUri(jid: string): string {
  return `whatsapp://chats/${encodeURIComponent(jid)}`;
}

/** The chat id of a `whatsapp://chats/{jid}` URI (percent-decoded), or null. */
export function chatIdFromChatUri(uri: string): string | null {
  const m = /^whatsapp:\/\/chats\/([^/]+)$/.exec(uri);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}
