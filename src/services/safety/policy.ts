/**
 * The policy rules of send safety (issue #15), pure: which chats an MCP client may see and write to, and
 * which writes need a human's approval. JIDs are compared in canonical form (a LID with a known phone
 * number is the phone JID), so a rule written for either address of a person applies to both.
 */
import type { Settings } from '../../settings/schema.js';

export type PolicySettings = Pick<Settings, 'send_mode' | 'approve_new_recipients' | 'read_allow' | 'read_deny' | 'write_allow' | 'write_deny'>;

/** Canonical JIDs of the four lists, built once per settings change. */
export interface ChatRules {
  readAllow: ReadonlySet<string>;
  readDeny: ReadonlySet<string>;
  writeAllow: ReadonlySet<string>;
  writeDeny: ReadonlySet<string>;
}

export function chatRules(s: PolicySettings, canonical: (jid: string) => string): ChatRules {
  const set = (l: readonly string[]) => new Set(l.map(canonical));
  return { readAllow: set(s.read_allow), readDeny: set(s.read_deny), writeAllow: set(s.write_allow), writeDeny: set(s.write_deny) };
}

/** True when no read rule is set (the fast path: nothing to filter). */
export function readsUnrestricted(r: ChatRules): boolean {
  return r.readAllow.size === 0 && r.readDeny.size === 0;
}

export function canRead(r: ChatRules, jid: string): boolean {
  if (r.readDeny.has(jid)) return false;
  return r.readAllow.size === 0 || r.readAllow.has(jid);
}

/** Why a write to `jid` is refused outright (no approval can override it), or null. */
export function writeRefusal(s: PolicySettings, r: ChatRules, jid: string | null): string | null {
  if (s.send_mode === 'read_only') return 'the server is in read-only mode (setting send_mode)';
  if (jid === null) return null;
  if (!canRead(r, jid)) return 'this chat is hidden by the read policy (settings read_allow / read_deny)';
  if (r.writeDeny.has(jid)) return 'this chat is on the write deny-list (setting write_deny)';
  if (r.writeAllow.size > 0 && !r.writeAllow.has(jid)) return 'this chat is not on the write allow-list (setting write_allow)';
  return null;
}

/** Why a write needs a human's approval, or null when it may go out. */
export function approvalReason(s: PolicySettings, w: { needsConsent: boolean; newRecipient: boolean }): string | null {
  if (!w.needsConsent) return null;
  if (s.send_mode === 'confirm') return 'every write needs approval (send_mode: confirm)';
  if (s.approve_new_recipients && w.newRecipient) return 'first message to a chat never written to before (approve_new_recipients)';
  return null;
}
