import { loadExample, type ExampleName } from '../src/examples';
import type { ContractIssue } from '../src/v1/issues';
import { parseEvent } from '../src/v1/parse';

/** Helpers for this package's tests; not exported from the package. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function example(name: ExampleName): { event: JsonObject; data: JsonObject } {
  const event = loadExample(name) as JsonObject;
  return { event, data: event.data as JsonObject };
}

export function issuesOf(input: unknown): ContractIssue[] {
  const result = parseEvent(input);
  if (result.ok) throw new Error('expected the event to be refused, but it parsed');
  return result.issues;
}

/** Messages reported at one path, so a test can assert on that field without pinning the rest. */
export function messagesAt(issues: readonly ContractIssue[], path: string): string[] {
  return issues.filter((issue) => issue.path === path).map((issue) => issue.message);
}
