import { CHANNELS, loadExample, parseEvent, type Channel, type ExampleName, type GatewayEvent } from '@gateway/contracts';
import { createTemplateEngine } from '../src/adapters/handlebars-engine';
import { loadTemplates } from '../src/adapters/template-files';
import { createRenderer } from '../src/app/render/render';
import type { AgencyInfo, RecipientPerson } from '../src/app/render/view-model';

/**
 * Render-only throughput: one event to many recipients, on the calling thread (one core). For
 * `bench:render` and for checking a template change did not make rendering slow; no Kafka.
 */

export interface ThroughputOptions {
  templatesDir: string;
  agency: AgencyInfo;
  example?: ExampleName;
  recipients?: number;
  channels?: readonly Channel[];
  /** Untimed runs first, so the JIT has compiled the templates. */
  warmupRecipients?: number;
}

export interface ThroughputResult {
  example: string;
  recipients: number;
  messages: number;
  skipped: number;
  ms: number;
  messagesPerSecond: number;
}

function syntheticPerson(i: number): RecipientPerson {
  const n = String(i).padStart(5, '0');
  return {
    id: `can-bo-${n}`,
    name: `Nguyễn Văn Thành ${n}`,
    title: 'Bí thư Đảng ủy phường',
    unit: `Đảng ủy phường ${n}`,
    phone: `+8490${String(1_000_000 + i).slice(-7)}`,
    email: `canbo${n}@danang.gov.vn`,
    userId: `u-${n}`,
  };
}

export function measureRenderThroughput(options: ThroughputOptions): ThroughputResult {
  const example = options.example ?? 'meeting-scheduled-hoi-nghi-bch';
  const count = options.recipients ?? 10_000;
  const channels = options.channels ?? CHANNELS;
  const parsed = parseEvent(loadExample(example));
  if (!parsed.ok) throw new Error(`example ${example} does not parse: ${JSON.stringify(parsed.issues)}`);
  const event: GatewayEvent = parsed.event;
  const renderer = createRenderer({ templates: loadTemplates(options.templatesDir, createTemplateEngine()), agency: options.agency });
  const people = Array.from({ length: count }, (_, i) => syntheticPerson(i));

  const run = (recipients: readonly RecipientPerson[]): { messages: number; skipped: number } => {
    // Prepared once per event, as the templating service does.
    const prepared = renderer.prepareEvent(event, { sequence: 0 });
    let messages = 0;
    let skipped = 0;
    for (const person of recipients) {
      const results = renderer.renderMessages(prepared, person, channels, {
        messageIdFor: (channel) => `${prepared.base.eventId}:${person.id}:${channel}`,
        correlationId: prepared.base.eventId,
        now: '2025-09-25T08:30:01.000Z',
      });
      for (const result of results) {
        if ('skipped' in result) skipped += 1;
        else messages += 1;
      }
    }
    return { messages, skipped };
  };

  run(people.slice(0, options.warmupRecipients ?? 2_000));
  const started = process.hrtime.bigint();
  const { messages, skipped } = run(people);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { example, recipients: count, messages, skipped, ms, messagesPerSecond: Math.round((messages / ms) * 1000) };
}
