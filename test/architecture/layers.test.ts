/**
 * The layer rules of docs/architecture.md, checked on the import statements of every source file:
 * a module imports its own layer or lower ones; machines are pure; store and simulator stand alone;
 * outside the store only `store/index` is imported; delivery code never touches SQLite directly.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

// Lower number = lower layer. Keys are the first path segment under src/ (files directly in src/ by name).
const LAYER: Record<string, number> = {
  machines: 0, store: 0, simulator: 0, errors: 0, logger: 0, util: 0,
  config: 1, settings: 1, auth: 1,
  runtime: 2,
  whatsapp: 3,
  services: 4, media: 5,
  http: 6, mcp: 6,
  app: 7, main: 7,
};
// Files allowed above their folder's layer: the thin entry points that call the composition root.
const ENTRY_POINTS = new Set(['src/mcp/stdio-main.ts']);
// Self-contained areas: what they may import of ours besides their own folder.
const STANDALONE: Record<string, readonly string[]> = {
  machines: [],
  store: ['errors', 'logger', 'util'],
  simulator: ['errors', 'logger', 'util'],
};

interface Import {
  file: string;
  spec: string;
  target: string | null;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${e}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (e.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function area(rel: string): string {
  const parts = rel.split('/');
  if (parts[0] === 'machines') return 'machines';
  return parts.length === 2 ? parts[1]!.replace(/\.ts$/, '') : parts[1]!;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
    const spec = (m[1] ?? m[2])!;
    const target = spec.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).replace(/\.js$/, '.ts') : null;
    out.push({ file, spec, target });
  }
  return out;
}

const FILES = [...sources('src'), ...sources('machines')];
const IMPORTS = FILES.flatMap(importsOf);

describe('architecture layers', () => {
  it('finds the source tree and its imports', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(IMPORTS.filter((i) => i.target).length).toBeGreaterThan(300);
    for (const f of FILES) expect(LAYER[area(f)], `${f} belongs to no layer: add its folder to LAYER`).toBeDefined();
  });

  it('no module imports a higher layer', () => {
    const bad = IMPORTS.filter((i) => i.target && !ENTRY_POINTS.has(i.file) && LAYER[area(i.target)]! > LAYER[area(i.file)]!)
      .map((i) => `${i.file} → ${i.target}`);
    expect(bad).toEqual([]);
  });

  it('http and mcp never import each other', () => {
    const bad = IMPORTS.filter((i) => i.target && !ENTRY_POINTS.has(i.file))
      .filter((i) => (area(i.file) === 'http' && area(i.target!) === 'mcp') || (area(i.file) === 'mcp' && area(i.target!) === 'http'))
      .map((i) => `${i.file} → ${i.target}`);
    expect(bad).toEqual([]);
  });

  it('machines are pure: xstate and zod only', () => {
    const bad = IMPORTS.filter((i) => area(i.file) === 'machines')
      .filter((i) => (i.target ? area(i.target) !== 'machines' : !/^(xstate|zod)(\/|$)/.test(i.spec)))
      .map((i) => `${i.file} → ${i.spec}`);
    expect(bad).toEqual([]);
  });

  it('store and simulator import nothing of ours outside their folder but the kernel', () => {
    const bad = IMPORTS.filter((i) => i.target && STANDALONE[area(i.file)] && area(i.target) !== area(i.file))
      .filter((i) => !STANDALONE[area(i.file)]!.includes(area(i.target!)))
      .map((i) => `${i.file} → ${i.target}`);
    expect(bad).toEqual([]);
  });

  it('outside the store only store/index is imported, and no one else prepares SQL on store.db', () => {
    const deep = IMPORTS.filter((i) => i.target && area(i.file) !== 'store' && i.target.startsWith('src/store/') && i.target !== 'src/store/index.ts')
      .map((i) => `${i.file} → ${i.target}`);
    expect(deep).toEqual([]);
    const direct = FILES.filter((f) => area(f) !== 'store')
      .filter((f) => /\bstore\.db\b|\.db\.(prepare|exec|transaction)\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(direct).toEqual([]);
  });

  it('catches a violation (the checks are not vacuous)', () => {
    const fake: Import = { file: 'src/http/routes/x.ts', spec: '../../store/repos/messages.js', target: 'src/store/repos/messages.ts' };
    expect(fake.target!.startsWith('src/store/') && fake.target !== 'src/store/index.ts').toBe(true);
    expect(LAYER[area('src/runtime/index.ts')]! < LAYER[area('src/http/express.ts')]!).toBe(true);
    expect(importsOf('src/app.ts').some((i) => i.target === 'src/store/index.ts')).toBe(true);
  });
});
