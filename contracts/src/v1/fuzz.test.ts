import { EXAMPLE_NAMES, loadExample } from '../examples';
import { EVENT_TYPES } from './event';
import { parseEvent, type ParseEventResult } from './parse';

/** Deterministic, so a failure names a seed and an iteration that reproduce it. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(rand: Random, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

function deepJunk(depth: number): unknown {
  let value: unknown = 'đáy';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { nested: value };
  return value;
}

function ownProtoKey(value: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, '__proto__', { value, enumerable: true, configurable: true, writable: true });
  return object;
}

function junk(rand: Random): unknown {
  const choices: Array<() => unknown> = [
    () => null,
    () => undefined,
    () => 0,
    () => -1,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => 1e308,
    () => true,
    () => '',
    () => '   ',
    () => 'x'.repeat(50_000 + Math.floor(rand() * 50_000)),
    () => 'Hỏa tốc'.repeat(5_000),
    () => '\u0000\uD800\u202E🙂',
    () => '2025-09-29T08:00:00',
    () => '+84 162 345 6789',
    () => 'person:',
    () => 'group:../../etc/passwd',
    () => [],
    () => [null, 1, 'a', {}],
    () => Array.from({ length: 1_000 }, (_, i) => i),
    () => ({}),
    () => ({ __proto__: { polluted: true } }),
    () => ownProtoKey({ polluted: true }),
    () => ({ constructor: { prototype: { polluted: true } } }),
    () => deepJunk(1 + Math.floor(rand() * 2_000)),
    () => 10n,
    () => Symbol('junk'),
    () => () => 'function',
    () => new Date(0),
    () => new Map([['a', 1]]),
  ];
  return pick(rand, choices)();
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** Walks a random distance into the event and returns a container and one of its keys. */
function randomSpot(rand: Random, root: Container): { parent: Container; key: string | number } {
  let parent: Container = root;
  for (;;) {
    const keys: Array<string | number> = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
    if (keys.length === 0) return { parent, key: Array.isArray(parent) ? 0 : 'extra' };
    const key = pick(rand, keys);
    const child: unknown = Array.isArray(parent) ? parent[key as number] : parent[key as string];
    if (!isContainer(child) || rand() < 0.35) return { parent, key };
    parent = child;
  }
}

function set(parent: Container, key: string | number, value: unknown): void {
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else Object.defineProperty(parent, String(key), { value, enumerable: true, configurable: true, writable: true });
}

function mutate(rand: Random, event: Container): void {
  const { parent, key } = randomSpot(rand, event);
  const roll = rand();
  if (roll < 0.25) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[String(key)];
  } else if (roll < 0.65) {
    set(parent, key, junk(rand));
  } else if (roll < 0.8) {
    set(parent, pick(rand, ['partcipants', 'recipient', '__proto__', 'constructor', 'k'.repeat(500), 'Ngày']), junk(rand));
  } else if (roll < 0.9) {
    const value: unknown = Array.isArray(parent) ? parent[Number(key)] : parent[String(key)];
    if (typeof value === 'string') set(parent, key, value.toUpperCase());
    else set(parent, key, String(value));
  } else if (Array.isArray(parent)) {
    const item: unknown = parent[Number(key)];
    for (let i = 0; i < 50; i++) parent.push(item);
  } else {
    set(parent, key, [parent[String(key)], parent[String(key)]]);
  }
}

function checkShape(result: ParseEventResult): string | undefined {
  if (result.ok) return EVENT_TYPES.includes(result.event.type) ? undefined : 'accepted an unknown type';
  if (result.kind !== 'invalid' && result.kind !== 'unknown-type') return `bad kind ${String(result.kind)}`;
  if (!Array.isArray(result.issues) || result.issues.length === 0) return 'no issues';
  for (const issue of result.issues) {
    if (typeof issue.path !== 'string' || issue.path === '') return 'empty path';
    if (typeof issue.message !== 'string' || issue.message === '') return 'empty message';
  }
  return undefined;
}

describe('parseEvent under malformed input', () => {
  const SEED = 20250929;
  const ITERATIONS = 2_500;

  it(`when ${ITERATIONS} randomly broken events are parsed, then it never throws and always explains the refusal`, () => {
    const rand = mulberry32(SEED);
    const bases = EXAMPLE_NAMES.map((name) => JSON.stringify(loadExample(name)));
    const tally = { ok: 0, invalid: 0, 'unknown-type': 0 };

    for (let i = 0; i < ITERATIONS; i++) {
      let input: unknown;
      if (rand() < 0.05) {
        input = junk(rand);
      } else {
        const event = JSON.parse(pick(rand, bases)) as Container;
        const mutations = 1 + Math.floor(rand() * 4);
        for (let m = 0; m < mutations; m++) mutate(rand, event);
        input = event;
      }

      let result: ParseEventResult;
      try {
        result = parseEvent(input);
      } catch (error) {
        throw new Error(`parseEvent threw at seed ${SEED}, iteration ${i}: ${String(error)}`);
      }
      const problem = checkShape(result);
      if (problem !== undefined) throw new Error(`${problem} at seed ${SEED}, iteration ${i}`);
      tally[result.ok ? 'ok' : result.kind] += 1;
    }

    expect(tally.ok + tally.invalid + tally['unknown-type']).toBe(ITERATIONS);
    expect(tally.invalid).toBeGreaterThan(ITERATIONS / 2);
    expect(tally['unknown-type']).toBeGreaterThan(0);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
