import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_NAMES, loadExample } from '../examples';
import { EVENT_TYPES } from './event';
import { generateJsonSchemas, JSON_SCHEMAS_DIR } from './json-schema';

type SchemaNode = { properties?: Record<string, SchemaNode>; title?: string; required?: string[] };

function committed(): Map<string, string> {
  const files = readdirSync(JSON_SCHEMAS_DIR).filter((file) => file.endsWith('.schema.json'));
  return new Map(files.map((file) => [file, readFileSync(join(JSON_SCHEMAS_DIR, file), 'utf8')]));
}

describe('committed JSON Schemas', () => {
  it('when regenerated in memory, then the committed files are identical (otherwise run `npm run schemas`)', () => {
    const onDisk = committed();
    const generated = generateJsonSchemas();
    const stale = generated.filter((file) => onDisk.get(file.fileName) !== file.content).map((file) => file.fileName);
    const extra = [...onDisk.keys()].filter((name) => !generated.some((file) => file.fileName === name));
    if (stale.length > 0 || extra.length > 0) {
      throw new Error(
        `contracts/schemas/v1 is out of date (changed: ${stale.join(', ') || 'none'}; ` +
          `no longer generated: ${extra.join(', ') || 'none'}). Run \`npm run schemas\` and commit the result.`,
      );
    }
  });

  it('when generated twice, then the output is the same (deterministic)', () => {
    expect(generateJsonSchemas()).toEqual(generateJsonSchemas());
  });

  it('when listed, then there is one file per event type plus the union, and the attendance answer', () => {
    expect(generateJsonSchemas().map((file) => file.fileName)).toEqual([
      ...EVENT_TYPES.map((type) => `${type}.schema.json`),
      'event.schema.json',
      'attendance.answered.schema.json',
    ]);
  });

  it('when a file is read, then it is pretty-printed JSON ending in a newline', () => {
    for (const { content } of generateJsonSchemas()) {
      expect(content.endsWith('}\n')).toBe(true);
      expect(content).toBe(`${JSON.stringify(JSON.parse(content), null, 2)}\n`);
    }
  });

  it.each(EXAMPLE_NAMES)('when %s is compared with its schema, then every field it uses is described', (name) => {
    const event = loadExample(name) as { type: string; data: Record<string, unknown> };
    const file = generateJsonSchemas().find((f) => f.fileName === `${event.type}.schema.json`);
    const schema = JSON.parse(file?.content ?? '{}') as SchemaNode;
    const data = schema.properties?.data;
    expect(Object.keys(event).filter((key) => !(key in (schema.properties ?? {})))).toEqual([]);
    expect(Object.keys(event.data).filter((key) => !(key in (data?.properties ?? {})))).toEqual([]);
    expect(data?.required?.filter((key) => !(key in event.data))).toEqual([]);
  });

  it('when integrators read the main fields, then they carry Vietnamese and English titles', () => {
    const schema = JSON.parse(
      generateJsonSchemas().find((f) => f.fileName === 'meeting.scheduled.schema.json')?.content ?? '{}',
    ) as SchemaNode;
    const data = schema.properties?.data?.properties ?? {};
    for (const field of ['title', 'chair', 'start', 'end', 'location', 'onlineLink', 'participants', 'urgency']) {
      expect(data[field]?.title).toMatch(/^[^/]+ \/ [^/]+$/);
    }
  });
});
