/**
 * Signed media URLs. `/media/<file>` needs the admin credential, except with a valid signature:
 * `?exp=<unix seconds>&sig=<base64url HMAC-SHA256(secret, "<file>\n<exp>")>`. The secret is 32 random
 * bytes generated on first start in `DATA_DIR/media-url-secret` (mode 0600) and never leaves the
 * server; deleting the file revokes every URL handed out. A signed URL grants exactly one file until
 * `exp`, which is what a recipient (e.g. a WhatsApp contact or an MCP client fetching `publicUrl`)
 * needs without holding any server credential.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

/** Lifetime of the signed URLs the server hands out (`publicUrl`): 7 days. */
export const SIGNED_URL_TTL_S = 7 * 24 * 3600;

export class UrlSigner {
  constructor(private readonly secret: Buffer) {}

  static fromDataDir(dataDir: string): UrlSigner {
    const path = join(dataDir, 'media-url-secret');
    if (existsSync(path)) {
      const hex = readFileSync(path, 'utf8').trim();
      if (/^[a-f0-9]{64}$/.test(hex)) return new UrlSigner(Buffer.from(hex, 'hex'));
    }
    const secret = randomBytes(32);
    writeFileAtomic(path, `${secret.toString('hex')}\n`, 0o600);
    return new UrlSigner(secret);
  }

  private mac(file: string, exp: number): Buffer {
    return createHmac('sha256', this.secret).update(`${file}\n${exp}`).digest();
  }

  /** `exp=…&sig=…` for a file, valid for `ttlS` seconds from `nowMs`. */
  query(file: string, ttlS = SIGNED_URL_TTL_S, nowMs = Date.now()): string {
    const exp = Math.floor(nowMs / 1000) + ttlS;
    return `exp=${exp}&sig=${this.mac(file, exp).toString('base64url')}`;
  }

  verify(file: string, exp: unknown, sig: unknown, nowMs = Date.now()): boolean {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return false;
    const e = Number(exp);
    if (e * 1000 < nowMs) return false;
    const given = Buffer.from(sig, 'base64url');
    const want = this.mac(file, e);
    return given.length === want.length && timingSafeEqual(given, want);
  }
}
