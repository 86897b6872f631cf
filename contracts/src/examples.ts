import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Example events, kept as JSON so tests can post them byte for byte. */
export const EXAMPLES_DIR = resolve(__dirname, '..', 'examples');

export const EXAMPLE_NAMES = [
  'meeting-scheduled-hoi-nghi-bch',
  'meeting-updated-chuyen-chieu',
  'meeting-cancelled',
  'document-dispatched-hoa-toc',
  'document-dispatched-mat',
  'document-recalled',
] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

/** Any file in the folder may be loaded; the listed names only help editors complete them. */
type ExampleRef = ExampleName | (string & Record<never, never>);

const EXAMPLE_FILE = /^[a-z0-9][a-z0-9-]*$/;

function examplePath(name: ExampleRef): string {
  const base = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
  if (!EXAMPLE_FILE.test(base)) throw new Error(`not an example name: ${JSON.stringify(name)}`);
  return join(EXAMPLES_DIR, `${base}.json`);
}

/** The raw JSON text, for tests that send exactly what a source would. */
export function readExampleText(name: ExampleRef): string {
  return readFileSync(examplePath(name), 'utf8');
}

/** A fresh copy on every call, so a test may mutate it freely. */
export function loadExample(name: ExampleRef): unknown {
  return JSON.parse(readExampleText(name)) as unknown;
}

/** Every `.json` file in the examples folder, including ones not listed in `EXAMPLE_NAMES`. */
export function listExampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort();
}
