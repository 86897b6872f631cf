import { randomBytes } from 'node:crypto';
import Handlebars from 'handlebars';
import type { CompiledTemplate, TemplateMode } from '../../domain';
import type { RecipientView } from './view-model';

/**
 * Rendering each part for each recipient from scratch is what limits throughput: Handlebars
 * re-wraps every helper on each top-level call, and a conference invitation to 10,000 people
 * renders the same subject, SMS and push text 10,000 times. Most parts never name the recipient,
 * and the rest only print a name or title or test whether one is there. So, from each template's
 * syntax tree (partials included), a part is classed as:
 *
 * - `none`: never reaches the recipient; rendered once per event.
 * - `fields`: reaches it only as `{{recipient.x}}` or `{{#if recipient.x}}` / `{{#unless ...}}`
 *   at the top context; rendered once per event and per set of present fields with unguessable
 *   markers in place of the values, then filled in per recipient (HTML-escaped when the template
 *   escapes them). The first fill of each set is checked against a real render, and a mismatch
 *   turns the shortcut off for that set.
 * - `any`: anything else (a helper or `#each` over a recipient field, the root context itself,
 *   `@root`, partials with arguments); rendered per recipient, as Handlebars would.
 */

export type RecipientUse =
  | { kind: 'none' }
  | { kind: 'fields'; fields: ReadonlyArray<{ name: string; escape: boolean }> }
  | { kind: 'any'; why: string };

export interface Part {
  template: CompiledTemplate;
  use: RecipientUse;
}

type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;

interface Analysis {
  why: string | null;
  /** name -> escaped, raw (an HTML part printing a field both ways cannot use one fill). */
  printed: Map<string, { escaped: boolean; raw: boolean }>;
  tested: Set<string>;
}

const isPath = (node: Node | undefined): node is hbs.AST.PathExpression => node?.type === 'PathExpression';

/** The field of `recipient.x`, 'whole' for other paths into the recipient, null when not about it. */
function recipientField(path: hbs.AST.PathExpression): string | 'whole' | null {
  if (path.data) return path.parts[0] === 'root' ? 'whole' : null;
  if (path.parts[0] !== 'recipient') return null;
  return path.parts.length === 2 && path.depth === 0 ? (path.parts[1] ?? 'whole') : 'whole';
}

/** Context-changing blocks (`#each`, `#with`, sections) move `this` away from the root. */
const keepsContext = (helper: string): boolean => helper === 'if' || helper === 'unless';

function unsafe(state: Analysis, why: string): void {
  state.why ??= why;
}

/** Any expression in a position where a recipient value could flow into a helper or block. */
function visitExpression(node: Expression | undefined, depth: number, state: Analysis): void {
  if (node === undefined) return;
  if (isPath(node)) {
    if (recipientField(node) !== null) unsafe(state, `"${node.original}" is passed to a helper or block`);
    else if (!node.data && node.parts.length === 0 && node.depth === 0 && depth === 0) {
      unsafe(state, 'the root context is passed to a helper or block');
    }
    return;
  }
  if (node.type === 'SubExpression') {
    const sub = node as hbs.AST.SubExpression;
    visitExpression(sub.path as Expression, depth, state);
    for (const param of sub.params) visitExpression(param, depth, state);
    for (const pair of sub.hash?.pairs ?? []) visitExpression(pair.value, depth, state);
  }
}

function visitProgram(
  program: hbs.AST.Program | undefined,
  depth: number,
  state: Analysis,
  partials: ReadonlyMap<string, hbs.AST.Program>,
  seen: ReadonlySet<string>,
): void {
  for (const statement of program?.body ?? []) visitStatement(statement, depth, state, partials, seen);
}

function visitStatement(
  node: hbs.AST.Statement,
  depth: number,
  state: Analysis,
  partials: ReadonlyMap<string, hbs.AST.Program>,
  seen: ReadonlySet<string>,
): void {
  switch (node.type) {
    case 'MustacheStatement': {
      const mustache = node as hbs.AST.MustacheStatement;
      const plain = mustache.params.length === 0 && (mustache.hash?.pairs.length ?? 0) === 0;
      if (plain && isPath(mustache.path)) {
        const field = recipientField(mustache.path);
        if (field === null) {
          visitExpression(mustache.path, depth, state);
        } else if (field === 'whole' || depth > 0) {
          unsafe(state, `"${mustache.path.original}" is printed outside the top context`);
        } else {
          const use = state.printed.get(field) ?? { escaped: false, raw: false };
          if (mustache.escaped) use.escaped = true;
          else use.raw = true;
          state.printed.set(field, use);
        }
        return;
      }
      visitExpression(mustache.path as Expression, depth, state);
      for (const param of mustache.params) visitExpression(param, depth, state);
      for (const pair of mustache.hash?.pairs ?? []) visitExpression(pair.value, depth, state);
      return;
    }
    case 'BlockStatement': {
      const block = node as hbs.AST.BlockStatement;
      const helper = isPath(block.path) ? block.path.original : '';
      const [first, ...rest] = block.params;
      const test = keepsContext(helper) && rest.length === 0 && (block.hash?.pairs.length ?? 0) === 0 && isPath(first) ? recipientField(first) : null;
      if (test !== null && test !== 'whole' && depth === 0) state.tested.add(test);
      else {
        visitExpression(block.path as Expression, depth, state);
        for (const param of block.params) visitExpression(param, depth, state);
        for (const pair of block.hash?.pairs ?? []) visitExpression(pair.value, depth, state);
      }
      visitProgram(block.program, keepsContext(helper) ? depth : depth + 1, state, partials, seen);
      visitProgram(block.inverse, depth, state, partials, seen);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      const partial = node as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
      if (partial.params.length > 0 || (partial.hash?.pairs.length ?? 0) > 0) {
        unsafe(state, 'a partial is called with arguments');
        return;
      }
      const name = isPath(partial.name as Node) ? (partial.name as hbs.AST.PathExpression).original : null;
      if (name === null) unsafe(state, 'a partial name is computed');
      else if (name !== '@partial-block' && !seen.has(name)) {
        const body = partials.get(name);
        if (body === undefined) unsafe(state, `partial "${name}" is unknown`);
        else visitProgram(body, depth, state, partials, new Set([...seen, name]));
      }
      if (node.type === 'PartialBlockStatement') visitProgram((node as hbs.AST.PartialBlockStatement).program, depth, state, partials, seen);
      return;
    }
    default:
      return; // content, comments
  }
}

/** Classifies one template; `partials` holds the parsed bodies of every registered partial. */
export function analyzeRecipientUse(ast: hbs.AST.Program, mode: TemplateMode, partials: ReadonlyMap<string, hbs.AST.Program>): RecipientUse {
  const state: Analysis = { why: null, printed: new Map(), tested: new Set() };
  visitProgram(ast, 0, state, partials, new Set());
  if (state.why !== null) return { kind: 'any', why: state.why };
  const names = [...new Set([...state.printed.keys(), ...state.tested])].sort();
  if (names.length === 0) return { kind: 'none' };
  const fields: Array<{ name: string; escape: boolean }> = [];
  for (const name of names) {
    const use = state.printed.get(name) ?? { escaped: false, raw: false };
    if (mode === 'html' && use.escaped && use.raw) return { kind: 'any', why: `"recipient.${name}" is printed both escaped and raw` };
    fields.push({ name, escape: mode === 'html' && use.escaped });
  }
  return { kind: 'fields', fields };
}

interface Fill {
  /** Text between the values; one more than `slots`. */
  pieces: readonly string[];
  /** Index into the part's fields for each value, in output order. */
  slots: readonly number[];
}

/** Truthiness as Handlebars' `#if` sees a string or null. */
const present = (value: string | null | undefined): boolean => typeof value === 'string' && value.length > 0;

/**
 * Renders parts for one event. Create one per event (the caches hold that event's text) and
 * call `render` per recipient.
 */
export class PartRenderer {
  private readonly fixed = new Map<CompiledTemplate, string>();
  private readonly fills = new Map<CompiledTemplate, Map<string, Fill | null>>();
  // Random per event: event text cannot contain the marker by accident or on purpose.
  private readonly nonce = randomBytes(9).toString('base64url');
  private readonly marker = new RegExp(`\u0000${this.nonce}(\\d+)\u0000`, 'g');

  constructor(private readonly view: object) {}

  render(part: Part, recipient: RecipientView): string {
    const { template, use } = part;
    switch (use.kind) {
      case 'none': {
        const known = this.fixed.get(template);
        if (known !== undefined) return known;
        const text = template.render({ ...this.view, recipient });
        this.fixed.set(template, text);
        return text;
      }
      case 'fields':
        return this.renderFields(template, use.fields, recipient);
      case 'any':
        return template.render({ ...this.view, recipient });
    }
  }

  private renderFields(template: CompiledTemplate, fields: ReadonlyArray<{ name: string; escape: boolean }>, recipient: RecipientView): string {
    const values = fields.map(({ name }) => (Object.hasOwn(recipient, name) ? recipient[name as keyof RecipientView] : undefined));
    const shape = values.map((v) => (present(v) ? '1' : '0')).join('');
    let byShape = this.fills.get(template);
    if (byShape === undefined) {
      byShape = new Map();
      this.fills.set(template, byShape);
    }
    const fill = byShape.get(shape);
    if (fill === null) return template.render({ ...this.view, recipient });
    if (fill !== undefined) return this.assemble(fill, fields, values);

    const real = template.render({ ...this.view, recipient });
    const made = this.makeFill(template, fields, values, recipient);
    const ok = made !== null && this.assemble(made, fields, values) === real;
    byShape.set(shape, ok ? made : null);
    return real;
  }

  private makeFill(
    template: CompiledTemplate,
    fields: ReadonlyArray<{ name: string }>,
    values: ReadonlyArray<string | null | undefined>,
    recipient: RecipientView,
  ): Fill | null {
    const marked: Record<string, string | null> = { ...recipient };
    fields.forEach(({ name }, i) => {
      if (present(values[i]) && Object.hasOwn(marked, name)) marked[name] = `\u0000${this.nonce}${i}\u0000`;
    });
    const text = template.render({ ...this.view, recipient: marked });
    const pieces: string[] = [];
    const slots: number[] = [];
    let from = 0;
    for (const match of text.matchAll(this.marker)) {
      pieces.push(text.slice(from, match.index));
      slots.push(Number(match[1]));
      from = match.index + match[0].length;
    }
    pieces.push(text.slice(from));
    return slots.every((slot) => slot < fields.length) ? { pieces, slots } : null;
  }

  private assemble(fill: Fill, fields: ReadonlyArray<{ escape: boolean }>, values: ReadonlyArray<string | null | undefined>): string {
    let out = fill.pieces[0] ?? '';
    for (let i = 0; i < fill.slots.length; i += 1) {
      const slot = fill.slots[i] ?? 0;
      const value = values[slot] ?? '';
      out += (fields[slot]?.escape === true ? Handlebars.escapeExpression(value) : value) + (fill.pieces[i + 1] ?? '');
    }
    return out;
  }
}
