/**
 * Filter tokens stored in the `meta` column of `messages_fts` (see migrations.ts, version 2).
 * They are plain ASCII words that unicode61 keeps whole: `c<chat rowid>` and `f<sender>`.
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

export function ftsMeta(chatRowId: number, sender: string): string {
  return `${chatToken(chatRowId)} ${senderToken(sender)}`;
}
