/** Writes contracts/schemas/v1/*.schema.json from the zod schemas (`npm run schemas`). */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CALLBACK_JSON_SCHEMAS_DIR, generateCallbackJsonSchemas, generateJsonSchemas, JSON_SCHEMAS_DIR, type JsonSchemaFile } from '../src/v1/json-schema';

function write(dir: string, files: JsonSchemaFile[]): void {
  mkdirSync(dir, { recursive: true });
  const wanted = new Set(files.map((file) => file.fileName));
  const shown = relative(process.cwd(), dir) || '.';

  for (const existing of readdirSync(dir)) {
    if (existing.endsWith('.schema.json') && !wanted.has(existing)) {
      rmSync(join(dir, existing));
      console.log(`removed ${shown}/${existing}`);
    }
  }
  for (const { fileName, content } of files) {
    const target = join(dir, fileName);
    let current: string | undefined;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    writeFileSync(target, content);
    console.log(`wrote ${shown}/${fileName}`);
  }
  console.log(`${files.length} JSON Schemas up to date in ${shown}`);
}

function main(): void {
  write(JSON_SCHEMAS_DIR, generateJsonSchemas());
  write(CALLBACK_JSON_SCHEMAS_DIR, generateCallbackJsonSchemas());
}

main();
