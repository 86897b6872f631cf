import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerIgnore, dockerSteps } from './image-copy';

const ROOT = join(__dirname, '..', '..');

describe('reading the Dockerfile and .dockerignore as Docker does', () => {
  it("when the project's .dockerignore is applied, then tests, benches and installs stay out and sources go in", () => {
    const ignored = dockerIgnore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    expect(['node_modules/x/index.js', 'services/gateway/test/cli-support.ts', 'contracts/src/v1/phone.test.ts', 'services/intake/bench/intake.bench.ts', 'infra/kafka/libs/kafka.jar', '.git/HEAD'].filter((p) => !ignored(p))).toEqual([]);
    expect(['services/gateway/src/cli/commands/resend.ts', 'contracts/src/v1/test-support.ts', 'templates/meeting.scheduled/sms.hbs', 'tests/package.json', 'package-lock.json'].filter(ignored)).toEqual([]);
  });

  it('when a pattern is negated, then the later rule wins', () => {
    const ignored = dockerIgnore('**/*.md\n!README.md\n');
    expect([ignored('docs/a.md'), ignored('README.md')]).toEqual([true, false]);
  });

  it('when instructions span lines or use the exec form, then each is read whole', () => {
    expect(dockerSteps('# a comment\nFROM node:20\nCOPY a/package.json \\\n  a/\nRUN npm ci --omit=dev && \\\n  npm cache clean --force\nCMD ["node", "--import", "tsx", "main.ts"]\n')).toEqual([
      { instruction: 'FROM', args: ['node:20'] },
      { instruction: 'COPY', args: ['a/package.json', 'a/'] },
      { instruction: 'RUN', args: ['npm ci --omit=dev && npm cache clean --force'] },
      { instruction: 'CMD', args: ['node', '--import', 'tsx', 'main.ts'] },
    ]);
  });
});
