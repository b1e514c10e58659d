/**
 * GET /api/settings — every runtime setting, the upload token masked (`upload_token_set`).
 * POST /api/settings — partial update: validated by the one schema (400 naming the field, file
 * unchanged), persisted atomically, applied live; answers with the new masked settings.
 */
import { Router } from 'express';
import type { SettingsStore } from '../../settings/index.js';
import { methodNotAllowed } from '../errors.js';

export function settingsRoutes(settings: SettingsStore): Router {
  const r = Router();
  r.get('/settings', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(settings.getPublic());
  });
  r.post('/settings', (req, res) => {
    settings.update(req.body); // a SettingsValidationError is an AppError (400 invalid_setting)
    res.set('Cache-Control', 'no-store').json(settings.getPublic());
  });
  r.all('/settings', methodNotAllowed(['GET', 'POST']));
  return r;
}
