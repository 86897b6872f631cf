/**
 * npm run graph [-- --all]: what each workspace package imports from the others, read from the
 * sources (production code; --all adds tests, benches and scripts). Each edge says how it crosses:
 * through the package's entry (`@gateway/x`), a subpath its `exports` map names (`@gateway/x/http`),
 * a deep path into its folders (`@gateway/x/src/...`), or a relative path out of its own folder.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const TOOLING = /(^|\/)(test|tests|bench|scripts)\/|\.test\.ts$|(^|\/)test-support\.ts$|-conformance\.ts$/;

interface Workspace {
  name: string;
  dir: string;
}

const workspaces: Workspace[] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.map((dir) => ({
  dir,
  name: (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string }).name,
}));

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|js)$/.test(entry) && !entry.endsWith('.d.ts')) yield path;
  }
}

const owner = (file: string): Workspace | undefined =>
  workspaces.filter((w) => (file + sep).startsWith(join(ROOT, w.dir) + sep)).sort((a, b) => b.dir.length - a.dir.length)[0];

const IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

export function importGraph(includeTooling: boolean): Map<string, Map<string, Set<string>>> {
  const graph = new Map<string, Map<string, Set<string>>>(workspaces.map((w) => [w.name, new Map()]));
  for (const w of workspaces) {
    for (const file of sources(join(ROOT, w.dir))) {
      const rel = relative(join(ROOT, w.dir), file).split(sep).join('/');
      if (!includeTooling && TOOLING.test(rel)) continue;
      if (owner(file) !== w) continue; // a nested workspace's file belongs to it
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        if (!spec) continue;
        let target: string | undefined;
        let how: string;
        if (spec.startsWith('@gateway/')) {
          const [, pkg, ...rest] = spec.split('/');
          target = `@gateway/${pkg}`;
          how = rest.length === 0 ? 'entry' : rest[0] === 'src' ? `deep ${spec}` : `subpath ${spec}`;
        } else if (spec.startsWith('.')) {
          const to = owner(resolve(dirname(file), spec));
          if (!to || to === w) continue;
          target = to.name;
          how = `relative ${rel} → ${spec}`;
        } else continue;
        if (target === w.name) continue;
        const edges = graph.get(w.name)!;
        if (!edges.has(target)) edges.set(target, new Set());
        edges.get(target)!.add(how);
      }
    }
  }
  return graph;
}

if (require.main === module) {
  const all = process.argv.includes('--all');
  const graph = importGraph(all);
  console.log(`Imports between workspace packages (${all ? 'all code' : 'production code'}):`);
  for (const [from, edges] of graph) {
    const list = [...edges].sort(([a], [b]) => a.localeCompare(b));
    console.log(`\n${from}${list.length ? '' : ' (none)'}`);
    for (const [to, hows] of list) {
      const odd = [...hows].filter((h) => h !== 'entry');
      console.log(`  → ${to}${hows.has('entry') ? '' : ' (no entry import)'}`);
      for (const h of odd) console.log(`      ${h}`);
    }
  }
}
