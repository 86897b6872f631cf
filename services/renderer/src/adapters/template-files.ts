import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateEngine } from '../domain';
import { compileTemplates, type FolderRead, type TemplateFiles, type TemplateRegistry } from '../app/render/templates';

/** templates/<type>/secret/ is the deepest folder the loader looks into. */
const MAX_DEPTH = 2;

function failure(error: unknown): { ok: false; missing: boolean; error: unknown } {
  const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
  return { ok: false, missing, error };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads the templates folder into memory once, at start: every folder's listing and every file's
 * text, or the error reading it gave, so the loader reports the same problem it would have met
 * reading the disk itself. Paths are "/"-separated and relative to `dir`.
 */
export function readTemplateFiles(dir: string): TemplateFiles {
  const listings = new Map<string, FolderRead<readonly string[]>>();
  const texts = new Map<string, FolderRead<string>>();
  const folders = new Set<string>();
  const walk = (folder: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(join(dir, folder));
    } catch (err) {
      listings.set(folder, failure(err));
      return;
    }
    listings.set(folder, { ok: true, value: names });
    for (const name of names) {
      const path = folder ? `${folder}/${name}` : name;
      const full = join(dir, path);
      try {
        texts.set(path, { ok: true, value: readFileSync(full, 'utf8') });
      } catch (err) {
        texts.set(path, failure(err));
      }
      if (isDirectory(full)) {
        folders.add(path);
        if (depth < MAX_DEPTH) walk(path, depth + 1);
      }
    }
  };
  walk('', 0);
  const absent = { ok: false, missing: true } as const;
  return {
    dir,
    list: (folder) => listings.get(folder) ?? absent,
    text: (file) => texts.get(file) ?? absent,
    isFolder: (path) => folders.has(path),
  };
}

/** Reads `dir` and compiles it: what a composition root, a script or a test calls. */
export function loadTemplates(dir: string, engine: TemplateEngine): TemplateRegistry {
  return compileTemplates(readTemplateFiles(dir), engine);
}
