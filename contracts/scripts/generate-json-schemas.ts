/** Writes contracts/schemas/v1/*.schema.json from the zod schemas (`npm run schemas`). */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateJsonSchemas, JSON_SCHEMAS_DIR } from '../src/v1/json-schema';

function main(): void {
  mkdirSync(JSON_SCHEMAS_DIR, { recursive: true });
  const files = generateJsonSchemas();
  const wanted = new Set(files.map((file) => file.fileName));
  const shown = relative(process.cwd(), JSON_SCHEMAS_DIR) || '.';

  for (const existing of readdirSync(JSON_SCHEMAS_DIR)) {
    if (existing.endsWith('.schema.json') && !wanted.has(existing)) {
      rmSync(join(JSON_SCHEMAS_DIR, existing));
      console.log(`removed ${shown}/${existing}`);
    }
  }
  for (const { fileName, content } of files) {
    const target = join(JSON_SCHEMAS_DIR, fileName);
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

main();
