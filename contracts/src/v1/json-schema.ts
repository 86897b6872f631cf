import { resolve } from 'node:path';
import { z } from 'zod';
import { attendanceAnsweredSchema } from './attendance';
import { callbackBatchSchema } from './callbacks';
import { EVENT_SCHEMAS, EVENT_TYPES, gatewayEventSchema } from './event';

/** Where the committed JSON Schemas live; the generator writes here and a test checks it is current. */
export const JSON_SCHEMAS_DIR = resolve(__dirname, '..', '..', 'schemas', 'v1');

/** The callback payload's schema, beside the events' but apart: what the gateway sends, not receives. */
export const CALLBACK_JSON_SCHEMAS_DIR = resolve(JSON_SCHEMAS_DIR, 'callbacks');

export interface JsonSchemaFile {
  /** File name inside `contracts/schemas/v1/`. */
  fileName: string;
  content: string;
}

function render(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    // Sources write the input side: Vietnamese urgency labels, phones as typed, omitted defaults.
    io: 'input',
    // Transforms have no JSON Schema form; their input side is described by the string they start from.
    unrepresentable: 'any',
    reused: 'inline',
    // zod drops examples from transforming schemas on the input side, assuming they show output;
    // ours (phones as typed, Vietnamese urgency labels) are inputs, so they are put back.
    override: ({ zodSchema, jsonSchema }) => {
      const examples = z.globalRegistry.get(zodSchema)?.examples;
      if (jsonSchema.examples === undefined && Array.isArray(examples)) jsonSchema.examples = examples;
    },
  });
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** One file per event type plus the union of all; shared by the generator script and the staleness test. */
export function generateJsonSchemas(): JsonSchemaFile[] {
  return [
    ...EVENT_TYPES.map((type) => ({ fileName: `${type}.schema.json`, content: render(EVENT_SCHEMAS[type]) })),
    { fileName: 'event.schema.json', content: render(gatewayEventSchema) },
    { fileName: 'attendance.answered.schema.json', content: render(attendanceAnsweredSchema) },
  ];
}

/** The batch a sending system's callback receives (`npm run schemas` writes it to schemas/v1/callbacks/). */
export function generateCallbackJsonSchemas(): JsonSchemaFile[] {
  return [{ fileName: 'callback-batch.schema.json', content: render(callbackBatchSchema) }];
}
