/**
 * Lookup tokens stored in the `meta` column of `messages_fts` (see migrations.ts, version 2).
 * They are plain ASCII words that unicode61 keeps whole: `c<chat rowid>`, `f<sender>`, `k<key hash>`.
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
 * Token for a message key id: 53 bits of two FNV-1a variants in base 36. Different keys may share a
 * token (rarely); lookups always re-check `key_id` on the row.
 */
export function keyToken(keyId: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < keyId.length; i++) {
    const c = keyId.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  const hi = (a >>> 0) & 0x1fffff;
  return `k${(hi * 4294967296 + (b >>> 0)).toString(36)}`;
}

export function ftsMeta(chatRowId: number, sender: string, keyId: string): string {
  return `${chatToken(chatRowId)} ${senderToken(sender)} ${keyToken(keyId)}`;
}
