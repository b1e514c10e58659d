/**
 * GET /api/settings — every runtime setting, the upload token masked (`upload_token_set`).
 * POST /api/settings — partial update: validated by the one schema (400 naming the field, file
 * unchanged), persisted atomically, applied live; answers with the new masked settings.
 */
import { Router } from 'express';
import { SettingsValidationError, type SettingsStore } from '../../settings/index.js';
import { AppError } from '../../errors.js';
import { methodNotAllowed } from '../errors.js';

export function settingsRoutes(settings: SettingsStore): Router {
  const r = Router();
  r.get('/settings', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(settings.getPublic());
  });
  r.post('/settings', (req, res) => {
    try {
      settings.update(req.body);
    } catch (err) {
      if (err instanceof SettingsValidationError) {
        throw new AppError('invalid_setting', `invalid setting ${err.field}: ${err.issues[0]?.message ?? 'bad value'}`, '', { details: { field: err.field, issues: err.issues } });
      }
      throw err;
    }
    res.set('Cache-Control', 'no-store').json(settings.getPublic());
  });
  r.all('/settings', methodNotAllowed(['GET', 'POST']));
  return r;
}
