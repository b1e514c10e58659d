/**
 * GET /media/:file — serves files of the media store only (looked up in SQLite by their random stored
 * name; nothing else under MEDIA_DIR, no listing, no path segments). Names with `..`, slashes or a
 * leading dot → 400; any other unknown name → 404.
 *
 * Auth (documented choice): the admin credential (bearer token or session cookie), OR a signed URL
 * `?exp=<unix s>&sig=<HMAC>` minted by the server (see media/signing.ts) — that is what `publicUrl`
 * carries, so a recipient can fetch exactly that file until it expires without any credential.
 *
 * Headers: the stored (sniffed) Content-Type, `X-Content-Type-Options: nosniff`, and a safe
 * Content-Disposition (inline only for images/audio/video; attachment + a `default-src 'none'`
 * CSP otherwise), with the original name ASCII-escaped and RFC 5987-encoded.
 */
import { Router, type RequestHandler } from 'express';
import type { FailureLimiter } from '../../auth/rate-limit.js';
import type { SessionStore } from '../../auth/sessions.js';
import type { Tokens } from '../../auth/tokens.js';
import type { MediaStore } from '../../media/media-store.js';
import type { UrlSigner } from '../../media/signing.js';
import { isInlineSafe, normalizeMime } from '../../media/sniff.js';
import { AppError } from '../../errors.js';
import { methodNotAllowed, notFound } from '../errors.js';
import { requireAdmin } from '../middleware/auth.js';

export interface MediaFileDeps {
  tokens: Tokens;
  sessions: SessionStore;
  limiter: FailureLimiter;
  media: MediaStore;
  signer: UrlSigner;
}

export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_').replace(/[;\r\n]/g, '_');
  const star = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${star}`;
}

export function mediaFileRoutes(deps: MediaFileDeps): Router {
  const r = Router();
  const admin = requireAdmin(deps.tokens, deps.sessions, deps.limiter);

  const validate: RequestHandler = (req, _res, next) => {
    const name = String(req.params.file);
    if (name.includes('..') || name.includes('/') || name.includes('\\') || name.includes('\0') || name.startsWith('.')) {
      return next(new AppError('bad_name', 'invalid media file name'));
    }
    next();
  };
  const auth: RequestHandler = (req, res, next) => {
    const { exp, sig } = req.query;
    const signed = sig !== undefined || exp !== undefined;
    if (signed && deps.signer.verify(String(req.params.file), exp, sig)) return next();
    admin(req, res, (err?: unknown) => {
      if (!err) return next();
      // A bad signature without another credential: say so (403), rather than "log in" (401).
      if (signed) {
        res.removeHeader('WWW-Authenticate');
        return next(new AppError('bad_signature', 'the signed media URL is invalid or expired'));
      }
      next(err);
    });
  };

  r.get('/media/:file', validate, auth, async (req, res) => {
    const file = deps.media.byName(String(req.params.file));
    if (!file || !(await deps.media.exists(file))) throw notFound('no such media file');
    const inline = isInlineSafe(file.mime);
    const name = file.originalName ?? file.fileName;
    res.set({
      'Content-Type': normalizeMime(file.mime) === 'audio/ogg' ? file.mime : (normalizeMime(file.mime) ?? 'application/octet-stream'),
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
      'Cache-Control': 'private, max-age=3600',
      ...(inline ? {} : { 'Content-Security-Policy': "default-src 'none'; sandbox" }),
    });
    await new Promise<void>((resolve, reject) => {
      res.sendFile(file.fileName, { root: deps.media.root, dotfiles: 'deny', index: false, acceptRanges: true, lastModified: true }, (err) => {
        if (err && !res.headersSent) reject(err);
        else resolve();
      });
    });
  });
  r.all('/media/:file', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
