import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/**
 * What the Dockerfile puts in the image, reproduced in a folder: its COPY instructions applied to the
 * repository's tracked files less .dockerignore, and its `npm ci` run where it stands. Lets a test
 * check the production install (`npm ci --omit=dev`) without Docker.
 */

export interface DockerStep {
  instruction: string;
  args: string[];
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
export function dockerSteps(text: string): DockerStep[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return logical.map((line) => {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const body = line.slice(instruction.length).trim();
    // Exec form (JSON array) or shell words.
    const args = body.startsWith('[') ? (JSON.parse(body) as string[]) : rest;
    return { instruction: instruction.toUpperCase(), args: instruction.toUpperCase() === 'RUN' ? [body.replace(/\s+/g, ' ')] : args };
  });
}

/** .dockerignore as a predicate on context paths (a pattern also excludes everything under a match). */
export function dockerIgnore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = posix.normalize(negated ? line.slice(1) : line).replace(/^\/+/, '');
      const body = pattern
        .split('/')
        .map((segment, i, all) => {
          if (segment === '**') return '(?:[^/]+/)*';
          const re = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
          return i < all.length - 1 ? `${re}/` : re;
        })
        .join('');
      return { negated, re: new RegExp(`^${body}(?:/.*)?$`) };
    });
  return (path) => rules.reduce((ignored, rule) => (rule.re.test(path) ? !rule.negated : ignored), false);
}

export interface ImageCopy {
  /** The image's CMD (exec form). */
  cmd: string[];
  /** ENV instructions. */
  env: Record<string, string>;
}

/**
 * Applies the Dockerfile in `root` to folder `dest` (its WORKDIR): COPY from the tracked files less
 * .dockerignore, and `install` for the RUN that has `npm ci`; other RUN steps (file ownership inside
 * the image) do not apply to a folder.
 */
export function buildImageCopy(root: string, dest: string, install: (cwd: string, env: Record<string, string>) => void): ImageCopy {
  const ignored = dockerIgnore(readFileSync(join(root, '.dockerignore'), 'utf8'));
  const context = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((path) => path && !ignored(path));
  const env: Record<string, string> = {};
  let cmd: string[] = [];
  for (const step of dockerSteps(readFileSync(join(root, 'Dockerfile'), 'utf8'))) {
    if (step.instruction === 'ENV') {
      for (const pair of step.args) {
        const [name = '', ...value] = pair.split('=');
        env[name] = value.join('=');
      }
    } else if (step.instruction === 'COPY') {
      const target = step.args[step.args.length - 1] ?? '.';
      for (const source of step.args.slice(0, -1)) {
        const src = posix.normalize(source).replace(/\/$/, '');
        for (const file of context) {
          let to: string | undefined;
          if (file === src) to = target.endsWith('/') ? posix.join(target, posix.basename(file)) : target;
          else if (file.startsWith(`${src}/`)) to = posix.join(target, file.slice(src.length + 1));
          if (to === undefined) continue;
          mkdirSync(dirname(join(dest, to)), { recursive: true });
          copyFileSync(join(root, file), join(dest, to));
        }
      }
    } else if (step.instruction === 'RUN' && /\bnpm ci\b/.test(step.args[0] ?? '')) {
      install(dest, env);
    } else if (step.instruction === 'CMD') {
      cmd = step.args;
    }
  }
  return { cmd, env };
}
