/**
 * better-sqlite3 treats `?NNN` parameters as named, so statements that reuse a positional parameter
 * (`?1 … ?1`) are written with `?N` here and rewritten to `@pN`; `run(a, b, c)` binds them in order.
 */
import type Database from 'better-sqlite3';

export interface NumberedStatement {
  run(...args: unknown[]): Database.RunResult;
}

export function prepareNumbered(db: Database.Database, sql: string): NumberedStatement {
  const stmt = db.prepare<[Record<string, unknown>]>(sql.replace(/\?(\d+)/g, '@p$1'));
  const count = Math.max(0, ...Array.from(sql.matchAll(/\?(\d+)/g), (m) => Number(m[1])));
  const names = Array.from({ length: count }, (_, i) => `p${i + 1}`);
  return {
    run(...args: unknown[]) {
      const params: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) params[names[i]!] = args[i] ?? null;
      return stmt.run(params);
    },
  };
}
