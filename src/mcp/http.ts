/**
 * Streamable HTTP transport at /mcp (placeholder until the MCP issue lands: answers 503).
 * The composition root mounts `router` before the JSON body parser, behind the MCP token and Host check.
 */
import { Router } from 'express';
import type { McpDeps } from './deps.js';

export interface McpHttp {
  router: Router;
  /** Close every live session (graceful shutdown). */
  closeAll(): Promise<void>;
}

export function createMcpHttp(_deps: McpDeps): McpHttp {
  const router = Router();
  router.all('/mcp', (_req, res) => {
    res.status(503).json({ error: 'MCP is not available yet', code: 'unavailable' });
  });
  return { router, closeAll: async () => {} };
}
