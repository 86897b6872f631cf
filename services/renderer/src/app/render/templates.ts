import Handlebars from 'handlebars';
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '@gateway/contracts';
import { TemplateError, type CompiledTemplate, type SmsPolicy, type TemplateEngine, type TemplateMode } from '../../domain';
import { analyzeRecipientUse, type Part } from './personalize';

/**
 * Compiles `templates/` once, at start, from the files adapters/template-files.ts has read (no
 * I/O here). Everything that can be checked without an event is checked
 * here, so a broken template stops the service before it consumes anything instead of
 * dead-lettering every event that reaches it: missing or unknown files, Handlebars syntax,
 * unknown helpers, unknown partials, text partials inside HTML (they would skip escaping) and
 * the SMS policy file.
 */

export const PART_NAMES = [
  'sms',
  'email-subject',
  'email-html',
  'email-text',
  'push-title',
  'push-body',
  'inapp-title',
  'inapp-body',
] as const;
type PartName = (typeof PART_NAMES)[number];

/** Meeting folders also describe the calendar entry; rendered once per event, without a recipient. */
const CALENDAR_DESCRIPTION = 'calendar-description';
const SECRET_FOLDER = 'secret';
const PARTIALS_FOLDER = 'partials';
const POLICY_FILE = 'template.json';

const MEETING_TYPES: ReadonlySet<EventType> = new Set(['meeting.scheduled', 'meeting.updated', 'meeting.cancelled']);
const DOCUMENT_TYPES: ReadonlySet<EventType> = new Set(['document.dispatched', 'document.recalled']);

export interface SmsTemplatePart extends Part {
  /** Dropped, last first, when the message would exceed the segment cap. */
  optional: boolean;
}

export interface PartSet {
  sms: readonly SmsTemplatePart[];
  emailSubject: Part;
  emailHtml: Part;
  emailText: Part;
  pushTitle: Part;
  pushBody: Part;
  inappTitle: Part;
  inappBody: Part;
}

export interface EventTemplates {
  type: EventType;
  sms: Required<SmsPolicy>;
  standard: PartSet;
  /** Documents only: the notice-and-link templates used for mật and above. */
  secret: PartSet | null;
  /** Meetings only. */
  calendarDescription: CompiledTemplate | null;
}

/** One read from the templates folder: the value, or why it failed (`missing`: it does not exist). */
export type FolderRead<T> = { ok: true; value: T } | { ok: false; missing: boolean; error?: unknown };

/** The templates folder as read: paths are relative to it, "/"-separated, "" is the top. */
export interface TemplateFiles {
  /** Where the files were read from, shown in TemplateRegistry.dir. */
  readonly dir: string;
  /** A folder's entry names, in no particular order. */
  list(folder: string): FolderRead<readonly string[]>;
  text(file: string): FolderRead<string>;
  isFolder(path: string): boolean;
}

export interface TemplateRegistry {
  readonly dir: string;
  readonly partials: readonly string[];
  forType(type: EventType): EventTemplates;
}

export class TemplateLoadError extends Error {
  override readonly name = 'TemplateLoadError';
  readonly retriable = false;

  constructor(
    /** Relative to the templates folder, e.g. "meeting.scheduled/sms.hbs". */
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`templates: ${file}: ${detail}`, options);
  }
}

const templateConfigSchema = z.strictObject({
  sms: z.strictObject({
    diacritics: z.enum(['keep', 'strip', 'auto']),
    // The channel message contract allows at most 10 segments.
    maxSegments: z.int().min(1).max(10),
  }),
});

/**
 * SMS parts: `sms.hbs` is split at marker lines `{{!-- optional --}}` / `{{!-- required --}}`.
 * The line breaks around a marker are not part of the text; a part carries its own leading
 * separator (a space, or an empty line for a line break).
 */
const SMS_MARKER = /(?:\r?\n)?^[ \t]*\{\{!--\s*(optional|required)\s*--\}\}[ \t]*(?:\r?\n|$)/gm;
const STRAY_MARKER = /\{\{!--\s*(optional|required)\s*--\}\}/;

function splitSmsSource(source: string, file: string): Array<{ source: string; optional: boolean }> {
  const parts: Array<{ source: string; optional: boolean }> = [];
  let optional = false;
  let from = 0;
  for (const match of source.matchAll(SMS_MARKER)) {
    parts.push({ source: source.slice(from, match.index), optional });
    optional = match[1] === 'optional';
    from = match.index + match[0].length;
  }
  parts.push({ source: source.slice(from), optional });
  return parts.map((part, index) => {
    if (STRAY_MARKER.test(part.source)) {
      throw new TemplateLoadError(file, 'an SMS part marker must stand alone on its line');
    }
    if (part.source.trim() === '' && index > 0) {
      throw new TemplateLoadError(file, `SMS part ${index + 1} is empty`);
    }
    return part;
  });
}

/** Editors end files with a newline; it is not part of the message. */
function withoutFinalNewline(source: string): string {
  return source.replace(/\r?\n$/, '');
}

function readText(files: TemplateFiles, file: string): string {
  const read = files.text(file);
  if (read.ok) return read.value;
  throw new TemplateLoadError(file, read.missing ? 'missing' : `cannot be read: ${String(read.error)}`, { cause: read.error });
}

function entries(files: TemplateFiles, folder: string): string[] {
  const read = files.list(folder);
  if (read.ok) return [...read.value].sort();
  throw new TemplateLoadError(folder || '.', read.missing ? 'folder missing' : `cannot be read: ${String(read.error)}`, { cause: read.error });
}

const rel = (...segments: string[]): string => segments.filter(Boolean).join('/');

/** Partials named `*-html` are compiled with HTML escaping and may only be used from HTML parts. */
const partialMode = (name: string): TemplateMode => (name.endsWith('-html') ? 'html' : 'text');

/** Every partial a template names, checked against what exists and against the template's mode. */
function checkPartials(ast: hbs.AST.Program, mode: TemplateMode, file: string, known: ReadonlySet<string>): void {
  const problems: string[] = [];
  class PartialNames extends Handlebars.Visitor {
    private check(node: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement): void {
      if (node.name.type !== 'PathExpression') {
        problems.push('dynamic partial names are not allowed');
        return;
      }
      const name = (node.name as hbs.AST.PathExpression).original;
      if (name === '@partial-block') return;
      if (!known.has(name)) problems.push(`unknown partial "${name}" (have: ${[...known].join(', ') || 'none'})`);
      else if (partialMode(name) !== mode) {
        problems.push(
          mode === 'html'
            ? `partial "${name}" is a text partial and would not be HTML-escaped; use an *-html partial`
            : `partial "${name}" is an HTML partial and cannot be used in a text part`,
        );
      }
    }

    override PartialStatement(node: hbs.AST.PartialStatement): void {
      this.check(node);
      super.PartialStatement(node);
    }

    override PartialBlockStatement(node: hbs.AST.PartialBlockStatement): void {
      this.check(node);
      super.PartialBlockStatement(node);
    }
  }
  new PartialNames().accept(ast);
  if (problems.length > 0) throw new TemplateLoadError(file, problems.join('; '));
}

interface Loader {
  engine: TemplateEngine;
  files: TemplateFiles;
  /** Parsed bodies of the registered partials, by name. */
  partials: ReadonlyMap<string, hbs.AST.Program>;
}

/** The engine compiles (and reports syntax errors with positions) before the tree is inspected. */
function compile(loader: Loader, file: string, source: string, mode: TemplateMode): Part {
  let template: CompiledTemplate;
  try {
    template = loader.engine.compile(source, { mode, name: file });
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateLoadError(file, err.message, { cause: err });
    throw err;
  }
  const ast = Handlebars.parse(source);
  checkPartials(ast, mode, file, new Set(loader.partials.keys()));
  return { template, use: analyzeRecipientUse(ast, mode, loader.partials) };
}

function loadPart(loader: Loader, folder: string, part: string, mode: TemplateMode): Part {
  const file = rel(folder, `${part}.hbs`);
  return compile(loader, file, withoutFinalNewline(readText(loader.files, file)), mode);
}

function loadSms(loader: Loader, folder: string): SmsTemplatePart[] {
  const file = rel(folder, 'sms.hbs');
  const pieces = splitSmsSource(withoutFinalNewline(readText(loader.files, file)), file);
  return pieces.map((piece, index) => ({
    optional: piece.optional,
    ...compile(loader, pieces.length === 1 ? file : `${file}#${index + 1}`, piece.source, 'text'),
  }));
}

function expectOnly(loader: Loader, folder: string, allowed: ReadonlySet<string>): void {
  for (const name of entries(loader.files, folder)) {
    if (!allowed.has(name) && !name.endsWith('.md')) {
      throw new TemplateLoadError(rel(folder, name), `unexpected here; a folder holds only: ${[...allowed].join(', ')}`);
    }
  }
}

function loadPartSet(loader: Loader, folder: string, extra: readonly string[]): PartSet {
  const allowed = new Set([...PART_NAMES.map((p) => `${p}.hbs`), ...extra]);
  expectOnly(loader, folder, allowed);
  const part = (name: PartName, mode: TemplateMode = 'text') => loadPart(loader, folder, name, mode);
  return {
    sms: loadSms(loader, folder),
    emailSubject: part('email-subject'),
    emailHtml: part('email-html', 'html'),
    emailText: part('email-text'),
    pushTitle: part('push-title'),
    pushBody: part('push-body'),
    inappTitle: part('inapp-title'),
    inappBody: part('inapp-body'),
  };
}

function loadPolicy(loader: Loader, folder: string): Required<SmsPolicy> {
  const file = rel(folder, POLICY_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readText(loader.files, file));
  } catch (err) {
    if (err instanceof TemplateLoadError) throw err;
    throw new TemplateLoadError(file, `is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const parsed = templateConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new TemplateLoadError(file, `invalid: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  }
  return parsed.data.sms;
}

function loadEventType(loader: Loader, type: EventType): EventTemplates {
  const meeting = MEETING_TYPES.has(type);
  const document = DOCUMENT_TYPES.has(type);
  const extra = [POLICY_FILE, ...(meeting ? [`${CALENDAR_DESCRIPTION}.hbs`] : []), ...(document ? [SECRET_FOLDER] : [])];
  const standard = loadPartSet(loader, type, extra);
  if (document && !loader.files.isFolder(rel(type, SECRET_FOLDER))) {
    throw new TemplateLoadError(rel(type, SECRET_FOLDER), 'must be a folder of notice-only templates for classified documents');
  }
  return {
    type,
    sms: loadPolicy(loader, type),
    standard,
    secret: document ? loadPartSet(loader, rel(type, SECRET_FOLDER), []) : null,
    calendarDescription: meeting ? loadPart(loader, type, CALENDAR_DESCRIPTION, 'text').template : null,
  };
}

function registerPartials(engine: TemplateEngine, files: TemplateFiles): Map<string, hbs.AST.Program> {
  const parsed = new Map<string, hbs.AST.Program>();
  const listed = files.list(PARTIALS_FOLDER);
  if (!listed.ok) {
    if (listed.missing) return parsed;
    throw listed.error;
  }
  const names = [...listed.value].sort();
  const partials: string[] = [];
  const sources = new Map<string, string>();
  for (const file of names) {
    if (file.endsWith('.md')) continue;
    const path = rel(PARTIALS_FOLDER, file);
    if (!file.endsWith('.hbs')) throw new TemplateLoadError(path, 'unexpected here; partials are .hbs files');
    const name = file.slice(0, -'.hbs'.length);
    // Kept as written: a partial on a line of its own relies on its final newline.
    sources.set(name, readText(files, path));
    partials.push(name);
  }
  const known = new Set(partials);
  for (const [name, source] of sources) {
    const file = rel(PARTIALS_FOLDER, `${name}.hbs`);
    try {
      engine.registerPartial(name, source, { mode: partialMode(name) });
    } catch (err) {
      if (err instanceof TemplateError) throw new TemplateLoadError(file, err.message, { cause: err });
      throw err;
    }
    const ast = Handlebars.parse(source);
    checkPartials(ast, partialMode(name), file, known);
    parsed.set(name, ast);
  }
  return parsed;
}

/**
 * Compiles every template in `files` with `engine` (one engine per registry: partials are
 * registered on it). Throws TemplateLoadError naming the file on the first problem.
 */
export function compileTemplates(files: TemplateFiles, engine: TemplateEngine): TemplateRegistry {
  const top = new Set<string>([...EVENT_TYPES, PARTIALS_FOLDER]);
  for (const name of entries(files, '')) {
    if (top.has(name) || name.endsWith('.md')) continue;
    throw new TemplateLoadError(name, `unexpected here; templates/ holds one folder per event type (${EVENT_TYPES.join(', ')}) and partials/`);
  }
  const partials = registerPartials(engine, files);
  const loader: Loader = { engine, files, partials };
  const byType = new Map<EventType, EventTemplates>();
  for (const type of EVENT_TYPES) {
    if (!files.isFolder(type)) throw new TemplateLoadError(type, 'folder missing: every event type needs its templates');
    byType.set(type, loadEventType(loader, type));
  }
  return {
    dir: files.dir,
    partials: [...partials.keys()],
    forType(type) {
      const found = byType.get(type);
      if (found === undefined) throw new RangeError(`no templates for event type "${type}"`);
      return found;
    },
  };
}

