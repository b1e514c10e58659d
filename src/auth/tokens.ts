/**
 * Credentials: the MCP bearer token and the admin token. From env when set; otherwise generated once,
 * stored under DATA_DIR with mode 0600, and reused on later starts. Logs say where the file is, never the token.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export interface Tokens {
  /** Null only when auth is disabled. */
  mcp: string | null;
  admin: string | null;
  files: { mcp?: string; admin?: string };
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function loadOrCreate(path: string, log: Logger, label: string): string {
  if (existsSync(path)) {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length >= 16) return existing;
  }
  const token = generateToken();
  writeFileAtomic(path, `${token}\n`, 0o600);
  log.warn({ file: path }, `generated a new ${label} token; read it from the file (it is not logged)`);
  return token;
}

export function resolveTokens(opts: {
  dataDir: string;
  disabled: boolean;
  mcpToken?: string;
  adminToken?: string;
  log: Logger;
}): Tokens {
  if (opts.disabled) {
    opts.log.warn('AUTH_DISABLED=1: /mcp, /api, /admin and /media accept requests without credentials');
    return { mcp: null, admin: null, files: {} };
  }
  const files: Tokens['files'] = {};
  let admin = opts.adminToken;
  if (!admin) {
    files.admin = join(opts.dataDir, 'admin-token');
    admin = loadOrCreate(files.admin, opts.log, 'admin');
  }
  let mcp = opts.mcpToken;
  if (!mcp) {
    files.mcp = join(opts.dataDir, 'mcp-token');
    mcp = loadOrCreate(files.mcp, opts.log, 'MCP');
  }
  return { mcp, admin, files };
}

/** Constant-time comparison that does not leak the length either (both sides hashed first). */
export function tokenMatches(presented: string | undefined | null, expected: string): boolean {
  if (!presented) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
