import Handlebars from 'handlebars';
import {
  formatVnDate,
  formatVnDateShort,
  formatVnDateTime,
  formatVnTime,
  formatVnTimeRange,
  secrecyLabel,
  urgencyLabel,
} from '../domain/vn-format';
import { TemplateError, type TemplateEngine, type TemplateMode } from '../domain/template-engine';

/**
 * Handlebars for notification templates.
 *
 * Choices, each one tested beside this file:
 * - One `Handlebars.create()` instance per engine, so helpers and partials registered here never
 *   leak into (or from) another user of the global instance.
 * - `strict: true`: `{{place}}` on a missing field throws naming "place". What strict does NOT
 *   cover in Handlebars 4.7 (checked against 4.7.10):
 *     - helper arguments: `{{vnDate start}}` and `{{#if link}}` on a missing field receive
 *       undefined instead of throwing. So `{{#if optional}}` works without the caller passing
 *       anything, and our own helpers treat undefined as a missing field and throw, naming it;
 *     - `{{#if a.b}}` when `a` itself is missing throws a TypeError from the path walk, and
 *       `{{^x}}` / `{{#x}}` sections on a missing x throw like `{{x}}`.
 *   `assumeObjects` was not used: it only removes the existence checks strict already makes.
 *   Rule for callers: build view models with every optional field present, null when absent.
 * - `knownHelpersOnly` with the list below: an unknown helper fails when the template is
 *   compiled, not on the first message that reaches it. `log` (writes to the console) and
 *   `lookup` (dynamic field access) are removed; if/unless/each/with stay.
 * - Templates are compiled eagerly, once, in `compile()`, so syntax and helper errors surface
 *   when templates are loaded; Handlebars' own `compile()` defers that to the first render.
 * - `noEscape` only for text channels (SMS, push, plain-text email); HTML email is escaped.
 * - No prototype-access runtime options, ever.
 */

interface SourcePosition {
  source?: string;
  start: { line: number; column: number };
}

/** What Handlebars passes as the last argument to a helper at run time (more than its typings say). */
interface HelperCallOptions {
  loc?: SourcePosition;
}

/** Thrown from inside our helpers; the engine adds the template and, for a missing argument, the field. */
class HelperCallError extends Error {
  constructor(
    readonly helper: string,
    readonly loc: SourcePosition | undefined,
    reason: string,
    /** 0-based position of an undefined argument. */
    readonly missingArgument?: number,
    cause?: unknown,
  ) {
    super(reason, { cause });
  }
}

interface HelperSpec {
  min: number;
  max: number;
  impl: (args: unknown[]) => unknown;
}

const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

function dateArg(value: unknown): string | Date {
  if (typeof value === 'string' || value instanceof Date) return value;
  throw new TypeError(`expected an ISO 8601 date string, got ${typeName(value)}`);
}

function textArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new TypeError(`expected text, got ${typeName(value)}`);
}

const one = (impl: (value: unknown) => unknown): HelperSpec => ({ min: 1, max: 1, impl: ([value]) => impl(value) });

const HELPERS: Readonly<Record<string, HelperSpec>> = {
  vnDateTime: one((v) => formatVnDateTime(dateArg(v))),
  vnDate: one((v) => formatVnDate(dateArg(v))),
  vnTime: one((v) => formatVnTime(dateArg(v))),
  vnDateShort: one((v) => formatVnDateShort(dateArg(v))),
  vnTimeRange: { min: 2, max: 2, impl: ([start, end]) => formatVnTimeRange(dateArg(start), dateArg(end)) },
  urgencyLabel: one((v) => urgencyLabel(textArg(v))),
  secrecyLabel: one((v) => secrecyLabel(textArg(v))),
  eq: { min: 2, max: 2, impl: ([a, b]) => a === b },
  and: { min: 2, max: Infinity, impl: (args) => args.every(truthy) },
  or: { min: 2, max: Infinity, impl: (args) => args.some(truthy) },
  not: one((v) => !truthy(v)),
  join: {
    min: 1,
    max: 2,
    impl: ([list, separator]) => {
      if (!Array.isArray(list)) throw new TypeError(`expected a list, got ${typeName(list)}`);
      return list.map(textArg).join(separator === undefined ? ', ' : textArg(separator));
    },
  },
  // Vietnamese case mapping needs no locale; NFC makes a decomposed "hủy" come out as the
  // precomposed "HỦY" that SMS counting and clients expect.
  upper: one((v) => textArg(v).normalize('NFC').toUpperCase().normalize('NFC')),
};

const DISABLED_BUILTINS = ['log', 'lookup'] as const;

const KNOWN_HELPERS: KnownHelpers = {
  ...Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true])),
  ...Object.fromEntries(DISABLED_BUILTINS.map((name) => [name, false])),
};

function arityText({ min, max }: HelperSpec): string {
  if (min === max) return `${min}`;
  return max === Infinity ? `at least ${min}` : `${min} to ${max}`;
}

function register(hb: typeof Handlebars, name: string, spec: HelperSpec): void {
  hb.registerHelper(name, (...raw: unknown[]) => {
    const { loc } = (raw.pop() ?? {}) as HelperCallOptions;
    const args = raw;
    if (args.length < spec.min || args.length > spec.max) {
      throw new HelperCallError(name, loc, `takes ${arityText(spec)} argument(s), got ${args.length}`);
    }
    const missing = args.indexOf(undefined);
    if (missing !== -1) throw new HelperCallError(name, loc, `argument ${missing + 1} is undefined`, missing);
    try {
      return spec.impl(args);
    } catch (err) {
      throw new HelperCallError(name, loc, err instanceof Error ? err.message : String(err), undefined, err);
    }
  });
}

const locKey = (loc: SourcePosition): string => `${loc.source ?? ''}|${loc.start.line}:${loc.start.column}`;

/**
 * Records, for every call of one of our helpers, the path written in each argument position
 * (`{{vnDate meeting.start}}` -> ["meeting.start"]), keyed by source and position. Handlebars
 * hands helpers that same location at run time, so a missing argument can be reported by the
 * field name the template author wrote.
 */
class HelperArgumentIndex extends Handlebars.Visitor {
  constructor(private readonly into: Map<string, ReadonlyArray<string | undefined>>) {
    super();
  }

  private record(node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression): void {
    if (node.path.type !== 'PathExpression') return;
    if (!Object.hasOwn(HELPERS, (node.path as hbs.AST.PathExpression).original)) return;
    const names = node.params.map((p) => (p.type === 'PathExpression' ? (p as hbs.AST.PathExpression).original : undefined));
    this.into.set(locKey(node.loc), names);
  }

  override MustacheStatement(node: hbs.AST.MustacheStatement): void {
    this.record(node);
    super.MustacheStatement(node);
  }

  override BlockStatement(node: hbs.AST.BlockStatement): void {
    this.record(node);
    super.BlockStatement(node);
  }

  override SubExpression(node: hbs.AST.SubExpression): void {
    this.record(node);
    super.SubExpression(node);
  }
}

/** Handlebars columns are 0-based; people count from 1. */
function position(loc: SourcePosition | undefined, template: string): string {
  if (!loc) return '';
  const elsewhere = loc.source !== undefined && loc.source !== template ? ` in ${loc.source}` : '';
  return ` at line ${loc.start.line}, column ${loc.start.column + 1}${elsewhere}`;
}

function explain(
  err: unknown,
  template: string,
  argumentNames: ReadonlyMap<string, ReadonlyArray<string | undefined>>,
): { detail: string; field?: string | undefined } {
  if (err instanceof HelperCallError) {
    const where = position(err.loc, template);
    if (err.missingArgument === undefined) return { detail: `helper "${err.helper}"${where}: ${err.message}` };
    const field = err.loc ? argumentNames.get(locKey(err.loc))?.[err.missingArgument] : undefined;
    const what = field !== undefined ? `missing field "${field}"` : 'missing value';
    return { detail: `${what} (argument ${err.missingArgument + 1} of ${err.helper})${where}`, field };
  }
  const message = err instanceof Error ? err.message : String(err);
  // Handlebars' strict-mode message: `"place" not defined in [object Object] - 3:14`.
  const strictMiss = /^"([^"]+)" not defined in .*? - (\d+):(\d+)$/s.exec(message);
  if (strictMiss) {
    const [, field, line, column] = strictMiss;
    return { detail: `missing field "${field}" at line ${line}, column ${Number(column) + 1}`, field };
  }
  return { detail: message };
}

/** The parts of a `Handlebars.create()` instance its `compile()` uses, absent from the typings. */
interface CompilerInternals {
  Compiler: new () => { compile(ast: hbs.AST.Program, options: CompileOptions): unknown };
  JavaScriptCompiler: new () => {
    compile(environment: unknown, options: CompileOptions, context: undefined, asObject: true): TemplateSpecification;
  };
}

function compilerInternals(hb: typeof Handlebars): CompilerInternals {
  const candidate = hb as unknown as Partial<CompilerInternals>;
  if (typeof candidate.Compiler !== 'function' || typeof candidate.JavaScriptCompiler !== 'function') {
    throw new Error('this Handlebars build does not expose Compiler and JavaScriptCompiler, which eager compilation needs');
  }
  return candidate as CompilerInternals;
}

export function createTemplateEngine(): TemplateEngine {
  const hb = Handlebars.create();
  const internals = compilerInternals(hb);
  for (const name of DISABLED_BUILTINS) hb.unregisterHelper(name);
  for (const [name, spec] of Object.entries(HELPERS)) register(hb, name, spec);
  const argumentNames = new Map<string, ReadonlyArray<string | undefined>>();

  const failure = (template: string, phase: 'compile' | 'render', err: unknown): TemplateError => {
    const { detail, field } = explain(err, template, argumentNames);
    return new TemplateError(template, phase, detail, { cause: err, field });
  };

  // What Handlebars.compile() does lazily on the first render (parse, compile, link), done now.
  const compileNow = (source: string, mode: TemplateMode, name: string): HandlebarsTemplateDelegate => {
    const options: CompileOptions = {
      data: true,
      strict: true,
      knownHelpers: KNOWN_HELPERS,
      knownHelpersOnly: true,
      noEscape: mode === 'text',
    };
    try {
      const ast = hb.parse(source, { srcName: name });
      new HelperArgumentIndex(argumentNames).accept(ast);
      const environment = new internals.Compiler().compile(ast, options);
      const spec = new internals.JavaScriptCompiler().compile(environment, options, undefined, true);
      return hb.template(spec);
    } catch (err) {
      throw failure(name, 'compile', err);
    }
  };

  return {
    compile(source, { mode, name }) {
      const template = compileNow(source, mode, name);
      return {
        name,
        mode,
        render(data) {
          try {
            return template(data);
          } catch (err) {
            throw failure(name, 'render', err);
          }
        },
      };
    },
    registerPartial(name, source, options) {
      hb.registerPartial(name, compileNow(source, options?.mode ?? 'html', `partial ${name}`));
    },
  };
}
