import type { z } from 'zod';
import { envelopeWithoutTypeSchema, EVENT_SCHEMAS, EVENT_TYPES, isEventType, type GatewayEvent } from './event';
import { contractErrorMap, describeValue, flattenIssues, ROOT_PATH, type ContractIssue } from './issues';
import { isPlainObject } from './primitives';
import { cleanInputText } from './text';

export type ParseEventResult =
  | { ok: true; event: GatewayEvent }
  | { ok: false; kind: 'unknown-type' | 'invalid'; issues: ContractIssue[] };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ContractIssue[] };

function unreadable(): ContractIssue[] {
  return [{ path: ROOT_PATH, message: 'could not be read as JSON data' }];
}

/** Reads `type` without trusting the input: it may be a proxy or carry a throwing getter. */
function ownType(input: Record<string, unknown>): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(input, 'type');
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

function safeParseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input, { error: contractErrorMap });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: firstPerPath(flattenIssues(result.error.issues)) };
}

/**
 * zod keeps running length checks after a type error (an array given for a string also fails
 * "min 1"), so one field can collect several messages; the first is the one that explains it.
 */
function firstPerPath(issues: ContractIssue[]): ContractIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    if (seen.has(issue.path)) return false;
    seen.add(issue.path);
    return true;
  });
}

/**
 * Validates and normalizes one event from a source. Never throws: anything that escapes zod
 * (a hostile proxy, a getter that throws) is reported as an unreadable input.
 */
export function parseEvent(received: unknown): ParseEventResult {
  try {
    if (!isPlainObject(received)) {
      return {
        ok: false,
        kind: 'invalid',
        issues: [{ path: ROOT_PATH, message: `must be a JSON object (the event envelope), got ${describeValue(received)}` }],
      };
    }
    const cleaned = cleanInputText(received);
    if (!cleaned.ok) return { ok: false, kind: 'invalid', issues: cleaned.issues };
    const input = cleaned.value as Record<string, unknown>;
    const type = ownType(input);
    if (typeof type === 'string' && !isEventType(type)) {
      const shown = type.length > 64 ? `${type.slice(0, 64)}…` : type;
      return {
        ok: false,
        kind: 'unknown-type',
        issues: [
          { path: 'type', message: `unknown event type ${JSON.stringify(shown)}; known types: ${EVENT_TYPES.join(', ')}` },
        ],
      };
    }
    if (!isEventType(type)) {
      const result = safeParseWith(envelopeWithoutTypeSchema, input);
      // A getter can make zod see a string where the own-property read saw none.
      const issues = result.ok || result.issues.length === 0 ? [{ path: 'type', message: 'required' }] : result.issues;
      return {
        ok: false,
        kind: 'invalid',
        issues: issues.map((issue) =>
          issue.path === 'type' ? { path: 'type', message: `${issue.message}: one of ${EVENT_TYPES.join(', ')}` } : issue,
        ),
      };
    }
    const result = safeParseWith(EVENT_SCHEMAS[type], input);
    if (result.ok) return { ok: true, event: result.value };
    return { ok: false, kind: 'invalid', issues: result.issues };
  } catch {
    return { ok: false, kind: 'invalid', issues: unreadable() };
  }
}

/**
 * For input from people and other systems (the directory's import and routes): every string is
 * cleaned as events are (see text.ts) before the schema sees it. Our own messages between
 * services are parsed with `parseContract`, without that cost.
 */
export function parseInputContract<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  try {
    const cleaned = cleanInputText(input);
    if (!cleaned.ok) return { ok: false, issues: cleaned.issues };
    return safeParseWith(schema, cleaned.value);
  } catch {
    return { ok: false, issues: unreadable() };
  }
}

/** The same readable issues for any contract, e.g. a worker checking a channel message it consumed. */
export function parseContract<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  try {
    return safeParseWith(schema, input);
  } catch {
    return { ok: false, issues: unreadable() };
  }
}
