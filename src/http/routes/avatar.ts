/**
 * GET /api/avatar/:jid — 302 to the contact's or group's profile picture (WhatsApp CDN URL), 404 when
 * there is none. Answers are cached in memory for a few minutes (misses for one), so the chat list of
 * the admin UI does not hit WhatsApp once per row per render.
 */
import { Router } from 'express';
import type { Store } from '../../store/index.js';
import { NotConnectedError, type WhatsAppGateway } from '../../whatsapp/gateway.js';
import { AppError } from '../../errors.js';
import { badRequest, methodNotAllowed, notFound } from '../errors.js';

const HIT_TTL_MS = 5 * 60_000;
const MISS_TTL_MS = 60_000;
const MAX_ENTRIES = 5_000;

export function avatarRoutes(store: Store, gateway: WhatsAppGateway, now: () => number = Date.now): Router {
  const cache = new Map<string, { url: string | null; until: number }>();
  const r = Router();
  r.get('/avatar/:jid', async (req, res) => {
    const jid = store.identity.resolve(String(req.params.jid));
    if (jid === null) throw badRequest('not a WhatsApp id or phone number');
    let entry = cache.get(jid);
    if (!entry || entry.until < now()) {
      let url: string | null;
      try {
        url = await gateway.profilePictureUrl(jid);
      } catch (err) {
        if (err instanceof NotConnectedError) throw new AppError('not_connected', 'WhatsApp is not connected; profile pictures are fetched live', 'Retry once connected', { retryable: true });
        throw new AppError('upstream_failed', 'WhatsApp did not answer the profile picture request', 'Retry in a moment', { retryable: true });
      }
      entry = { url, until: now() + (url ? HIT_TTL_MS : MISS_TTL_MS) };
      cache.delete(jid);
      cache.set(jid, entry);
      if (cache.size > MAX_ENTRIES) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
    }
    if (!entry.url) throw notFound(`no profile picture for ${jid}`);
    res.set('Cache-Control', 'private, max-age=300').redirect(302, entry.url);
  });
  r.all('/avatar/:jid', methodNotAllowed(['GET']));
  return r;
}
