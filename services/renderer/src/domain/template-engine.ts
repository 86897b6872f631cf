/** The template engine port: what rendering needs from an engine, in our words (adapters/handlebars-engine.ts implements it). */

export type TemplateMode = 'html' | 'text';

export interface CompileTemplateOptions {
  mode: TemplateMode;
  /** Shown in every error, e.g. "meeting-invitation/sms". */
  name: string;
}

export interface CompiledTemplate {
  readonly name: string;
  readonly mode: TemplateMode;
  /** Throws TemplateError; the caller dead-letters the event, since a retry renders the same. */
  render(data: object): string;
}

export interface TemplateEngine {
  compile(source: string, options: CompileTemplateOptions): CompiledTemplate;
  /** Partials (e.g. the email layout) are compiled with the same rules; HTML unless told. */
  registerPartial(name: string, source: string, options?: { mode?: TemplateMode }): void;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  /** Rendering is deterministic: the same event fails the same way every time. */
  readonly retriable = false;
  readonly template: string;
  readonly phase: 'compile' | 'render';
  /** The missing field when known: a helper argument's path as written, or strict mode's last segment. */
  readonly field: string | undefined;

  constructor(template: string, phase: 'compile' | 'render', detail: string, options: { cause: unknown; field?: string | undefined }) {
    super(`template "${template}" failed to ${phase}: ${detail}`, { cause: options.cause });
    this.template = template;
    this.phase = phase;
    this.field = options.field;
  }
}
