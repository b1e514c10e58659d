/**
 * GET /api/ops — what the admin UI's Operations view shows: how to connect an MCP client (the endpoint path,
 * the entry script and data dir for a stdio config, where the MCP token is kept — never the token itself)
 * and the store's statistics (maintained counters: no full-table count).
 */
import { basename, resolve } from 'node:path';
import { Router } from 'express';
import type { Tokens } from '../../auth/tokens.js';
import type { Store } from '../../store/index.js';
import { methodNotAllowed } from '../errors.js';

export interface OpsDeps {
  store: Store;
  tokens: Tokens;
  dataDir: string;
  /** The running entry script (process.argv[1]); only a built main.js is worth putting in a stdio config. */
  entry?: string;
}

export function opsRoutes(deps: OpsDeps): Router {
  const r = Router();
  const entry = deps.entry ?? process.argv[1];
  const mainJs = entry && basename(entry) === 'main.js' ? resolve(entry) : null;
  r.get('/ops', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({
      mcp: {
        path: '/mcp',
        authRequired: deps.tokens.mcp !== null,
        // Where the token can be read on the server (generated ones); null when it came from the environment.
        tokenFile: deps.tokens.files.mcp ?? null,
      },
      stdio: { node: process.execPath, entry: mainJs, dataDir: deps.dataDir },
      stats: deps.store.counters.get(),
    });
  });
  r.all('/ops', methodNotAllowed(['GET']));
  return r;
}
