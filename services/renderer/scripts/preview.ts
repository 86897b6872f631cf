/**
 * Shows what an event would send, without sending anything:
 *
 *   npx tsx services/renderer/scripts/preview.ts contracts/examples/meeting-scheduled-hoi-nghi-bch.json [--channel sms|email|push|inapp] [--sequence n]
 *
 * Inline recipients are rendered as themselves; person:/group: references are resolved from the
 * directory at send time, so one sample is rendered for a placeholder person instead.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHANNELS, isMeetingEvent, isRecipientRef, parseEvent, type Channel, type GatewayEvent, type InlinePerson } from '@gateway/contracts';
import { applySmsPolicy, type SmsPart } from '../src/domain';
import { createTemplateEngine } from '../src/adapters/handlebars-engine';
import { loadTemplates } from '../src/adapters/template-files';
import {
  buildViewModel,
  createRenderer,
  isSkipped,
  smsView,
  type AgencyInfo,
  type RecipientPerson,
  type Renderer,
  type TemplateRegistry,
} from '../src/app/render';

const TEMPLATES_DIR = resolve(__dirname, '..', '..', '..', 'templates');

/** The agency a deployment configures; shown in headers, footers and as calendar organizer. */
const AGENCY: AgencyInfo = {
  name: 'Văn phòng Thành ủy Đà Nẵng',
  emailFrom: 'thongbao@danang.gov.vn',
  calendarDomain: 'lichhop.danang.gov.vn',
};

const PLACEHOLDER: RecipientPerson & { channels?: Channel[] } = {
  id: 'nguyen-van-a',
  name: 'Nguyễn Văn A',
  title: 'Chuyên viên',
  unit: 'Văn phòng Thành ủy',
  phone: '+84912345678',
  email: 'nguyenvana@danang.gov.vn',
  userId: 'u-00001',
};

interface Args {
  file: string;
  channel: Channel | undefined;
  sequence: number | undefined;
}

function usage(problem: string): never {
  console.error(`${problem}\nusage: npm run preview -- <event.json> [--channel ${CHANNELS.join('|')}] [--sequence n]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  let file: string | undefined;
  let channel: Channel | undefined;
  let sequence: number | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--channel') {
      const value = argv[(i += 1)];
      if (!(CHANNELS as readonly string[]).includes(value ?? '')) usage(`--channel must be one of ${CHANNELS.join(', ')}`);
      channel = value as Channel;
    } else if (arg === '--sequence') {
      const value = Number(argv[(i += 1)]);
      if (!Number.isInteger(value) || value < 0) usage('--sequence must be a non-negative integer');
      sequence = value;
    } else if (arg !== undefined && !arg.startsWith('--') && file === undefined) {
      file = arg;
    } else {
      usage(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  if (file === undefined) usage('no event file given');
  return { file, channel, sequence };
}

function readEvent(file: string): GatewayEvent {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const parsed = parseEvent(json);
  if (!parsed.ok) {
    console.error(`${file} is not a valid event (${parsed.kind}):`);
    for (const issue of parsed.issues) console.error(`  ${issue.path}: ${issue.message}`);
    process.exit(1);
  }
  return parsed.event;
}

const rule = (title: string): string => `\n── ${title} ${'─'.repeat(Math.max(4, 76 - title.length))}`;

/** The SMS under each diacritics mode, with the template's own cap, so an editor sees what `auto` saves. */
function smsModes(templates: TemplateRegistry, event: GatewayEvent, person: RecipientPerson): string[] {
  const forType = templates.forType(event.type);
  const vm = buildViewModel(event, person, { agency: AGENCY });
  const parts = vm.kind === 'secret-document' && forType.secret !== null ? forType.secret : forType.standard;
  const marked = { ...smsView(vm), recipient: vm.recipient };
  const rendered: SmsPart[] = parts.sms.map((p) => ({ text: p.template.render(marked), optional: p.optional })).filter((p) => p.text !== '');
  return (['keep', 'strip', 'auto'] as const).map((diacritics) => {
    const result = applySmsPolicy(rendered, { ...forType.sms, diacritics });
    const label = diacritics.padEnd(5);
    const dropped = result.dropped > 0 ? `, ${result.dropped} optional part(s) dropped` : '';
    const shortened = result.shortened ? ', shortened to fit' : '';
    return `  ${label} ${result.encoding}, ${result.segments} segment(s), ${result.text.length} chars, sent ${result.diacritics === 'keep' ? 'with' : 'without'} diacritics${dropped}${shortened}`;
  });
}

function show(renderer: Renderer, templates: TemplateRegistry, event: GatewayEvent, person: RecipientPerson, channels: Channel[], sequence: number | undefined): void {
  const who = [person.name, person.title].filter(Boolean).join(', ');
  console.log(`\n████ ${who} (${person.id}): ${channels.join(', ')}`);
  const results = renderer.renderMessages(event, person, channels, {
    messageIdFor: (channel) => `${event.id ?? 'preview'}:${person.id}:${channel}`,
    correlationId: 'preview',
    now: new Date().toISOString(),
    sequence,
  });
  for (const result of results) {
    if (isSkipped(result)) {
      console.log(rule(result.channel.toUpperCase()));
      console.log(`(skipped: ${result.reason})`);
      continue;
    }
    switch (result.channel) {
      case 'sms':
        console.log(rule(`SMS: ${result.encoding}, ${result.segments} segment(s), ${result.diacritics === 'keep' ? 'có dấu' : 'không dấu'}`));
        console.log(result.text);
        console.log('\nSegment counts per diacritics mode:');
        for (const line of smsModes(templates, event, person)) console.log(line);
        break;
      case 'email':
        console.log(rule('EMAIL'));
        console.log(`Subject: ${result.subject}`);
        console.log(rule('EMAIL: text'));
        console.log(result.text);
        console.log(rule('EMAIL: html'));
        console.log(result.html);
        if (result.calendar !== undefined) {
          console.log(rule(`EMAIL: calendar (METHOD:${result.calendar.method}, SEQUENCE:${result.calendar.sequence})`));
          process.stdout.write(result.calendar.ics.replace(/\r\n/g, '\n'));
        }
        break;
      case 'push':
        console.log(rule(`PUSH (${Buffer.byteLength(JSON.stringify({ title: result.title, body: result.body, url: result.url }))} bytes)`));
        console.log(`Title: ${result.title}\nURL:   ${result.url ?? '(none)'}\n${result.body}`);
        break;
      case 'inapp':
        console.log(rule('IN-APP'));
        console.log(`Title: ${result.title}\nURL:   ${result.url ?? '(none)'}\n${result.body}`);
        break;
    }
  }
}

function main(): void {
  // Piped into `head` or `less` and closed early: not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  const args = parseArgs(process.argv.slice(2));
  const event = readEvent(args.file);
  const templates = loadTemplates(TEMPLATES_DIR, createTemplateEngine());
  const renderer = createRenderer({ templates, agency: AGENCY });
  const recipients = isMeetingEvent(event) ? event.data.participants : event.data.recipients;

  console.log(`${event.type} ${event.id ?? '(no id)'} from ${event.source}, occurred ${event.occurredAt}`);
  const refs = recipients.filter(isRecipientRef);
  for (const ref of refs) console.log(`  ${ref}: resolved from the directory at send time`);
  const people: Array<RecipientPerson & { channels?: Channel[] | undefined }> = recipients.filter(
    (r): r is InlinePerson => !isRecipientRef(r),
  );
  if (refs.length > 0) people.push(PLACEHOLDER);

  const wanted = (person: { channels?: Channel[] | undefined }): Channel[] =>
    (person.channels ?? [...CHANNELS]).filter((c) => args.channel === undefined || c === args.channel);
  try {
    for (const person of people) {
      const channels = wanted(person);
      if (channels.length > 0) show(renderer, templates, event, person, channels, args.sequence);
    }
  } catch (err) {
    console.error(`\n${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

main();
