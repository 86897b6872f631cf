import { z } from 'zod';

/** One problem with an input, addressed to the person who wrote it. */
export interface ContractIssue {
  /** Readable path such as `data.participants[2].phone`; `(root)` for the whole input. */
  path: string;
  message: string;
}

export const ROOT_PATH = '(root)';

const MAX_KEY_IN_PATH = 64;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function keySegment(key: string): string {
  const shown = key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key;
  return IDENTIFIER.test(shown) ? `.${shown}` : `[${JSON.stringify(shown)}]`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return ROOT_PATH;
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'symbol') out += `[${String(segment.description ?? 'symbol')}]`;
    else out += keySegment(segment);
  }
  return out.startsWith('.') ? out.slice(1) : out;
}

/** Never touches the value beyond `typeof`: inputs may be huge, cyclic, or hostile. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isNaN(value) ? 'NaN' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  date: 'a date',
};

function plural(n: number | bigint, one: string, many: string): string {
  return `${String(n)} ${Number(n) === 1 ? one : many}`;
}

/**
 * Plain-English messages for zod's built-in checks. Schemas that need a more specific message
 * (formats, enums, refinements) set their own, and those take precedence over this map.
 */
const plainEnglishErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.expected === 'nonoptional') return 'required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'string') {
        return Number(issue.minimum) <= 1
          ? 'must not be empty'
          : `must be at least ${plural(issue.minimum, 'character', 'characters')}`;
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return `must have at least ${plural(issue.minimum, 'entry', 'entries')}`;
      }
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${plural(issue.maximum, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') {
        return `must have at most ${plural(issue.maximum, 'entry', 'entries')}`;
      }
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(String(issue.values[0]))}`
        : `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return 'unknown field';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'does not match any of the accepted shapes';
    default:
      return 'is invalid';
  }
};

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? Math.max(a.length, b.length);
}

function suggest(unknown: string, known: readonly string[]): string | undefined {
  if (unknown.length > MAX_KEY_IN_PATH) return undefined;
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(unknown.toLowerCase(), key.toLowerCase());
    if (distance <= Math.max(1, Math.floor(key.length / 3)) && (best === undefined || distance < best.distance)) {
      best = { key, distance };
    }
  }
  return best?.key;
}

function knownKeysOf(schema: unknown): readonly string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * zod reports every unknown key of an object in one issue; callers want one line per field,
 * with a "did you mean" for typos like `partcipants`. The known keys come from the schema that
 * raised the issue, which only the error map sees, so it records them for `flattenIssues`.
 */
const knownKeysOfIssue = new WeakMap<object, readonly string[]>();

/**
 * One error map for every parse (it runs on every event the intake takes, so it is not rebuilt
 * per call): the known keys are kept against each issue's own `keys` array, which no other parse
 * shares and which the WeakMap lets go with the issue.
 */
export const contractErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'unrecognized_keys') knownKeysOfIssue.set(issue.keys, knownKeysOf(issue.inst));
  return plainEnglishErrors(issue);
};

/** A branch that failed on the value's own type is not what the writer meant. */
function matchedTypeAtRoot(branch: readonly z.core.$ZodIssue[]): boolean {
  return !branch.some((issue) => issue.path.length === 0 && issue.code === 'invalid_type');
}

export function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ContractIssue[] {
  const out: ContractIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysOfIssue.get(issue.keys) ?? [];
      for (const key of issue.keys) {
        const hint = suggest(key, known);
        out.push({
          path: formatPath([...path, key]),
          message: hint === undefined ? 'unknown field' : `unknown field (did you mean "${hint}"?)`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const candidates = issue.errors.filter(matchedTypeAtRoot);
      const only = candidates.length === 1 ? candidates[0] : undefined;
      if (only !== undefined) {
        out.push(...flattenIssues(only, path));
        continue;
      }
    }
    out.push({ path: formatPath(path), message: issue.message });
  }
  return out;
}
