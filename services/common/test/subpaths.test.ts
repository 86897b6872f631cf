/**
 * `@gateway/common`'s subpath exports load only what they need: a service that imports
 * `sendProblem` from `@gateway/common/http` does not pull in ioredis, kafkajs or pino. Checked in a
 * fresh Node process (tsx, as production runs), so jest's own module registry is out of the way.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const HEAVY = ['ioredis', 'kafkajs', 'pino', 'express'];
/** Where a package's files are once loaded (kafkajs is the vendored workspace package). */
const HOME: Record<string, string> = { kafkajs: '/packages/kafkajs/' };

function packagesLoadedBy(specifier: string): string[] {
  const script = `require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(require.cache)))`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`loading ${specifier} failed: ${run.stderr}`);
  const files = JSON.parse(run.stdout.trim().split('\n').pop() ?? '[]') as string[];
  return HEAVY.filter((name) => files.some((file) => file.includes(HOME[name] ?? `/node_modules/${name}/`)));
}

describe('@gateway/common subpaths', () => {
  it.each(['@gateway/common/http', '@gateway/common/config', '@gateway/common/lifecycle', '@gateway/common/auth'])('%s loads none of ioredis, kafkajs, pino, express', (specifier) => {
    expect(packagesLoadedBy(specifier)).toEqual([]);
  });

  it('the entry still loads everything (the check can fail)', () => {
    expect(packagesLoadedBy('@gateway/common')).toEqual(expect.arrayContaining(['ioredis', 'pino']));
  });
});
