/**
 * Uploads (raw routers: mounted before any body parser, they authenticate and parse themselves).
 *
 * POST /api/upload            JSON `{data: base64 | data: URL, filename?, mime_type?}`, parsed as a
 *                             stream (data decoded straight to a temp file); the limit follows
 *                             `upload_max_mb` live (base64 overhead included); 413 when over.
 * POST /api/upload-multipart  multipart/form-data, any field name; each file streams to a temp file in
 *                             the media dir (hashed on the way); at most `max_files_per_upload` files
 *                             (400) of at most `upload_max_mb` each (413). On any error every temp file
 *                             of the request is removed, so nothing is left behind.
 *
 * Auth: the admin credential, or the upload token (`Authorization: Bearer <upload_token>` or
 * `X-Upload-Token`) when `require_upload_token` is on. `upload_enabled=false` → 403.
 * The type is sniffed from the bytes; the client's MIME type is only a hint (see media/sniff.ts).
 */
import { Router, type Request, type RequestHandler } from 'express';
import multer, { type StorageEngine } from 'multer';
import type { FailureLimiter } from '../../auth/rate-limit.js';
import type { SessionStore } from '../../auth/sessions.js';
import { tokenMatches, type Tokens } from '../../auth/tokens.js';
import { parseJsonUpload, type JsonUpload } from '../../media/json-upload.js';
import { MB, base64Length, tooLarge, type TempFile } from '../../media/media-store.js';
import type { MediaService } from '../../media/service.js';
import type { SettingsStore } from '../../settings/index.js';
import { AppError } from '../../errors.js';
import { badRequest, methodNotAllowed } from '../errors.js';
import { bearerToken, requireAdmin } from '../middleware/auth.js';

export interface UploadDeps {
  tokens: Tokens;
  sessions: SessionStore;
  limiter: FailureLimiter;
  settings: SettingsStore;
  service: MediaService;
}

/** Temp files written for a request, by path (sha256 and first bytes come from the streaming pass). */
const temps = new WeakMap<Request, Map<string, TempFile>>();

function tempStorage(service: MediaService, maxBytes: number): StorageEngine {
  return {
    _handleFile(req, file, cb) {
      let map = temps.get(req);
      if (!map) temps.set(req, (map = new Map()));
      const m = map;
      service.store.writeTemp(file.stream, maxBytes).then(
        (t) => {
          m.set(t.path, t);
          cb(null, { path: t.path, size: t.size });
        },
        (err: unknown) => cb(err),
      );
    },
    _removeFile(req, file, cb) {
      temps.get(req)?.delete(file.path);
      service.store.discard({ path: file.path }).then(() => cb(null), (err: unknown) => cb(err as Error));
    },
  };
}

async function discardAll(req: Request, service: MediaService): Promise<void> {
  const map = temps.get(req);
  if (!map) return;
  await Promise.all([...map.values()].map((t) => service.store.discard(t)));
  map.clear();
}

export function uploadRoutes(deps: UploadDeps): Router {
  const { settings, service } = deps;
  const r = Router();

  const uploadTokenOk = (req: Request): boolean => {
    const s = settings.get();
    if (!s.require_upload_token || s.upload_token === '') return false;
    return tokenMatches(bearerToken(req) ?? req.get('x-upload-token'), s.upload_token);
  };
  const auth = requireAdmin(deps.tokens, deps.sessions, deps.limiter, { alsoAccept: uploadTokenOk });
  const enabled: RequestHandler = (_req, _res, next) => {
    if (!settings.get().upload_enabled) return next(new AppError('uploads_disabled', 'uploads are disabled', 'Turn on the setting upload_enabled'));
    next();
  };

  r.post('/api/upload', auth, enabled, async (req, res) => {
    // The body is parsed as a stream: `data` is base64-decoded straight into a temp file (see
    // media/json-upload.ts), so memory stays flat whatever upload_max_mb allows.
    const abandon = () => {
      res.setHeader('Connection', 'close');
      req.resume();
    };
    if (!req.is(['application/json', 'application/*+json'])) {
      abandon();
      throw new AppError('unsupported_media_type', 'expected a JSON body', 'Send {data, filename?, mime_type?} with Content-Type: application/json (or use /api/upload-multipart)');
    }
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      abandon();
      throw new AppError('unsupported_encoding', `Content-Encoding ${encoding} is not supported here`);
    }
    const maxBytes = service.uploadLimitBytes();
    // The base64 of the bytes, plus room for the other fields and whitespace.
    const maxBodyBytes = base64Length(maxBytes) + 64 * 1024;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      abandon();
      throw tooLarge(maxBytes);
    }
    let parsed: JsonUpload;
    try {
      parsed = await parseJsonUpload(req, service.store, { maxBytes, maxBodyBytes });
    } catch (err) {
      abandon();
      throw err;
    }
    const { filename, mimeType } = parsed;
    if ((filename !== undefined && filename.length > 255) || (mimeType !== undefined && mimeType.length > 200)) {
      await service.store.discard(parsed.temp);
      throw badRequest(filename !== undefined && filename.length > 255 ? 'filename must be at most 255 characters' : 'mime_type must be at most 200 characters');
    }
    const file = await service.store.commit(parsed.temp, { originalName: filename ?? null, declaredMime: mimeType ?? parsed.dataUrlMime ?? null });
    res.status(201).json(service.describe(file));
  });
  r.all('/api/upload', methodNotAllowed(['POST']));

  r.post('/api/upload-multipart', auth, enabled, (req, res, next) => {
    const s = settings.get();
    const maxBytes = Math.floor(s.upload_max_mb * MB);
    const upload = multer({
      storage: tempStorage(service, maxBytes),
      limits: { fileSize: maxBytes, files: s.max_files_per_upload, fields: 20, fieldSize: 64 * 1024, parts: s.max_files_per_upload + 20 },
    }).any();
    upload(req, res, (err?: unknown) => {
      const fail = (e: unknown) => {
        discardAll(req, service).then(
          () => next(e),
          () => next(e),
        );
      };
      if (err) {
        if (err instanceof multer.MulterError) {
          if (err.code === 'LIMIT_FILE_SIZE') return fail(new AppError('too_large', `a file is larger than upload_max_mb (${s.upload_max_mb} MB)`));
          if (err.code === 'LIMIT_FILE_COUNT') return fail(new AppError('too_many_files', `at most ${s.max_files_per_upload} file(s) per upload (setting max_files_per_upload)`));
          return fail(badRequest(`bad multipart upload: ${err.message}`));
        }
        if (err instanceof AppError) return fail(err);
        if (err instanceof Error && /Unexpected end of form|Malformed part header|Multipart: Boundary not found/i.test(err.message)) return fail(badRequest(`bad multipart body: ${err.message}`));
        return fail(err);
      }
      const files = Array.isArray(req.files) ? req.files : [];
      if (files.length === 0) return fail(badRequest('no file in the multipart body (send one or more file parts, Content-Type: multipart/form-data)'));
      // All or nothing: an empty part refuses the whole upload before anything is stored.
      if (files.some((f) => f.size === 0)) return fail(new AppError('invalid_input', 'a file in the upload is empty (0 bytes)', 'Send files with content'));
      const map = temps.get(req) ?? new Map<string, TempFile>();
      (async () => {
        const out = [];
        for (const f of files) {
          const t = map.get(f.path);
          if (!t) throw new Error('upload temp file missing');
          map.delete(f.path);
          const stored = await service.store.commit(t, { originalName: Buffer.from(f.originalname, 'latin1').toString('utf8'), declaredMime: f.mimetype });
          out.push(service.describe(stored));
        }
        return out;
      })().then(
        (out) => res.status(201).json({ files: out }),
        (e: unknown) => fail(e),
      );
    });
  });
  r.all('/api/upload-multipart', methodNotAllowed(['POST']));
  return r;
}
