/** Paging shared by the repositories: opaque keyset cursors (base64url of a small JSON array) and page sizes. */

/** Page size rule of every repository list: an integer from 1 to 500, `dflt` when absent or not finite. */
export function clampLimit(limit: number | undefined, dflt: number): number {
  const n = Math.floor(limit ?? dflt);
  return Math.min(500, Math.max(1, Number.isFinite(n) ? n : dflt));
}

export function encodeCursor(parts: ReadonlyArray<number | string>): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** Decode a cursor made by `encodeCursor`; `null` when it is malformed or of another shape. */
export function decodeCursor(cursor: string, shape: ReadonlyArray<'number' | 'string'>): Array<number | string> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== shape.length) return null;
    for (let i = 0; i < shape.length; i++) {
      const item: unknown = v[i];
      if (shape[i] === 'number' ? typeof item !== 'number' || !Number.isFinite(item) : typeof item !== 'string') return null;
    }
    return v as Array<number | string>;
  } catch {
    return null;
  }
}

/** Thrown for a cursor that this store did not produce. */
export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('Invalid cursor: pass the nextCursor value from the previous page unchanged, or omit it to start over.');
    this.name = 'InvalidCursorError';
  }
}
