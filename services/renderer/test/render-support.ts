import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  isMeetingEvent,
  isRecipientRef,
  loadExample,
  parseEvent,
  type Channel,
  type ExampleName,
  type GatewayEvent,
  type InlinePerson,
} from '@gateway/contracts';
import { createTemplateEngine } from '../src/adapters/handlebars-engine';
import { loadTemplates } from '../src/adapters/template-files';
import { createRenderer, type RenderContext, type Renderer } from '../src/app/render/render';
import type { TemplateRegistry } from '../src/app/render/templates';
import type { AgencyInfo, RecipientPerson } from '../src/app/render/view-model';

/** Shared by the render tests: the real templates folder, the contracts' examples, one agency. */

const TEMPLATES_DIR = resolve(__dirname, '..', '..', '..', 'templates');

export const AGENCY: AgencyInfo = {
  name: 'Văn phòng Thành ủy Đà Nẵng',
  emailFrom: 'thongbao@danang.gov.vn',
  calendarDomain: 'lichhop.danang.gov.vn',
};

export const ALL_CHANNELS: readonly Channel[] = ['sms', 'email', 'push', 'inapp'];

let shared: TemplateRegistry | undefined;

/** Loaded once per test file: loading compiles every template. */
export function realTemplates(): TemplateRegistry {
  shared ??= loadTemplates(TEMPLATES_DIR, createTemplateEngine());
  return shared;
}

export function realRenderer(): Renderer {
  return createRenderer({ templates: realTemplates(), agency: AGENCY });
}

function parsed(input: unknown): GatewayEvent {
  const result = parseEvent(input);
  if (!result.ok) throw new Error(`fixture does not parse: ${JSON.stringify(result.issues)}`);
  return result.event;
}

export function example(name: ExampleName): GatewayEvent {
  return parsed(loadExample(name));
}

/** An example with `data` fields changed, re-parsed so it is exactly what the renderer would get. */
export function variant(name: ExampleName, change: (data: Record<string, unknown>, event: Record<string, unknown>) => void): GatewayEvent {
  const raw = loadExample(name) as Record<string, unknown>;
  change(raw.data as Record<string, unknown>, raw);
  return parsed(raw);
}

export function inlinePeople(event: GatewayEvent): InlinePerson[] {
  const recipients = isMeetingEvent(event) ? event.data.participants : event.data.recipients;
  return recipients.filter((r): r is InlinePerson => !isRecipientRef(r));
}

export function person(event: GatewayEvent, id: string): RecipientPerson {
  const found = inlinePeople(event).find((p) => p.id === id);
  if (found === undefined) throw new Error(`no inline person ${id} in ${event.id}`);
  return found;
}

export function contextFor(event: GatewayEvent, who: { id: string }, sequence?: number): RenderContext {
  return {
    messageIdFor: (channel) => `${event.id ?? 'no-id'}:${who.id}:${channel}`,
    correlationId: `corr-${event.id ?? 'no-id'}`,
    now: '2025-09-25T08:30:01.000Z',
    ...(sequence !== undefined ? { sequence } : {}),
  };
}

/** A scratch copy of the templates folder for tests that break it; removed by the returned function. */
export function templatesCopy(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'templates-'));
  cpSync(TEMPLATES_DIR, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The real templates with every SMS cap set to `maxSegments`. */
export function rendererWithSmsCap(maxSegments: number): Renderer {
  const copy = templatesCopy();
  try {
    for (const entry of readdirSync(copy.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'partials') continue;
      const file = join(copy.dir, entry.name, 'template.json');
      const settings = JSON.parse(readFileSync(file, 'utf8')) as { sms: Record<string, unknown> };
      writeFileSync(file, JSON.stringify({ ...settings, sms: { ...settings.sms, maxSegments } }));
    }
    return createRenderer({ templates: loadTemplates(copy.dir, createTemplateEngine()), agency: AGENCY });
  } finally {
    copy.remove();
  }
}
