/**
 * kafkajs is this package and nothing else: a dependency on the registry's `kafkajs` would bring
 * back the release without our encoder changes (README.md), next to this copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const manifest = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { workspaces?: string[] } & Record<string, Record<string, string> | undefined>;

describe('@gateway/kafkajs is the only kafkajs', () => {
  it('when a package needs kafkajs, then it depends on @gateway/kafkajs, never on the registry kafkajs', () => {
    const dirs = ['.', ...(manifest('.').workspaces ?? [])];
    const fromRegistry = dirs.flatMap((dir) => ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].filter((field) => manifest(dir)[field]?.kafkajs !== undefined).map((field) => `${dir}/package.json ${field}.kafkajs`));
    expect(fromRegistry).toEqual([]);
  });

  it('when the workspace is installed, then no registry kafkajs is in node_modules', () => {
    expect(existsSync(join(ROOT, 'node_modules/kafkajs'))).toBe(false);
  });
});
