/**
 * `send_media.media_path` confinement: the path must resolve — symlinks included — to a regular file
 * inside MEDIA_DIR or one of MEDIA_INPUT_DIRS (themselves resolved), so neither `..` nor a symlink
 * planted in an allowed directory reaches the rest of the file system.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AppError } from '../errors.js';

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

export async function confinePath(input: string, roots: readonly string[]): Promise<string> {
  if (input.includes('\0')) throw new AppError('path_refused', 'media_path contains a NUL byte', 'Pass a plain file path');
  const realRoots: string[] = [];
  for (const r of roots) {
    try {
      realRoots.push(await realpath(r));
    } catch {
      // a configured root that does not exist allows nothing
    }
  }
  const help = `Put the file in one of the allowed directories (${roots.join(', ')}) or use media_url / media_content`;
  // One answer for "outside", "missing" and "a symlink that leaves": a caller must not learn which files
  // exist elsewhere on the server.
  const refused = () => new AppError('path_refused', `media_path ${JSON.stringify(input)} is not a readable file inside the allowed media directories`, help);
  // Relative paths are taken relative to MEDIA_DIR (the first root), never to the working directory.
  const candidate = isAbsolute(input) ? resolve(input) : resolve(roots[0] ?? '/nonexistent', input);
  // Lexical confinement first, before touching the file system.
  if (![...roots.map((r) => resolve(r)), ...realRoots].some((r) => inside(r, candidate))) throw refused();
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw refused();
  }
  if (!realRoots.some((r) => inside(r, real))) throw refused();
  const st = await stat(real);
  if (!st.isFile()) throw new AppError('path_refused', `media_path ${JSON.stringify(input)} is not a regular file`, help);
  return real;
}
