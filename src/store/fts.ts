/**
 * Lookup tokens stored in the `meta` column of `messages_fts` (see migrations.ts, version 2).
 * They are plain ASCII words that unicode61 keeps whole: `c<chat rowid>`, `f<sender>`. (Rows written
 * before schema version 4 also carry `k<key hash>`; keys are looked up in `message_keys` since.)
 */
import { jidKind, jidUser } from './identity.js';

export function chatToken(chatRowId: number): string {
  return `c${chatRowId}`;
}

export function senderToken(jid: string): string {
  const kind = jidKind(jid);
  const suffix = kind === 'pn' ? 'p' : kind === 'lid' ? 'l' : 'x';
  return `f${jidUser(jid).replace(/[^0-9a-zA-Z]/g, '').toLowerCase()}${suffix}`;
}

/**
 * 53-bit hash of a message key id (two FNV-1a variants). Different keys may share it (rarely); every
 * lookup by it re-checks `key_id` on the row.
 */
export function keyHash(keyId: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < keyId.length; i++) {
    const c = keyId.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  const hi = (a >>> 0) & 0x1fffff;
  return hi * 4294967296 + (b >>> 0);
}

export function ftsMeta(chatRowId: number, sender: string): string {
  return `${chatToken(chatRowId)} ${senderToken(sender)}`;
}
