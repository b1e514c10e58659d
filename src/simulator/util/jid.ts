import { jidDecode } from '@whiskeysockets/baileys';

/** User part and device of a jid (`123:4@s.whatsapp.net` → {user:'123', device:4, server}). */
export function splitJid(jid: string): { user: string; device: number; server: string } | undefined {
  const decoded = jidDecode(jid);
  if (!decoded?.user) return undefined;
  return { user: decoded.user, device: decoded.device ?? 0, server: decoded.server };
}
