/**
 * The package boundaries stay sealed (issue 14): every workspace package names what it exports, and
 * no code, tests included, reaches into another package's folders. Lint refuses such an import as it
 * is written; this reads the whole tree the way `npm run graph` prints it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importGraph } from './import-graph';

const ROOT = resolve(__dirname, '../..');
const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;

describe('package boundaries', () => {
  it.each(workspaces)('%s has an exports map', (dir) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { exports?: Record<string, string> };
    expect(manifest.exports).toEqual(expect.objectContaining({ './package.json': './package.json' }));
  });

  it('no import crosses into another package except through its exports', () => {
    const crossings: string[] = [];
    for (const [from, edges] of importGraph(true)) {
      for (const [to, hows] of edges) for (const how of hows) if (how.startsWith('deep') || how.startsWith('relative')) crossings.push(`${from} → ${to}: ${how}`);
    }
    expect(crossings).toEqual([]);
  });
});
