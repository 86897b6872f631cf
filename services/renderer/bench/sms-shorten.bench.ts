/**
 * npx tsx services/renderer/bench/sms-shorten.bench.ts
 * The cost of SMS shortening on a big fan-out: a meeting invitation with a 300-character title
 * to 20,000 people, SMS only, with the real templates and with a copy whose SMS greets each
 * recipient by name (personalised text: every recipient's SMS is distinct, so the per-event memo
 * does not help). Prints µs per SMS.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadExample, parseEvent, type GatewayEvent } from '@gateway/contracts';
import { createTemplateEngine } from '../src/adapters/handlebars-engine';
import { loadTemplates } from '../src/adapters/template-files';
import { createRenderer, type RecipientPerson } from '../src/app/render';

const TEMPLATES = resolve(__dirname, '../../../templates');
const AGENCY = { name: 'Văn phòng Thành ủy Đà Nẵng', emailFrom: 'thongbao@danang.gov.vn', calendarDomain: 'lichhop.danang.gov.vn' };
const PEOPLE = 20_000;
const TITLE = `Hội nghị ${'quán triệt và triển khai Nghị quyết của Ban Chấp hành Trung ương Đảng khóa XIII, '.repeat(4)}`.slice(0, 300);

function event(): GatewayEvent {
  const raw = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
  raw.data.title = TITLE;
  const parsed = parseEvent(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.event;
}

function person(i: number): RecipientPerson {
  const n = String(i).padStart(5, '0');
  return { id: `cb-${n}`, name: `Nguyễn Văn Thành ${n}`, phone: `+8490${String(1_000_000 + i).slice(-7)}` };
}

function run(templatesDir: string, label: string): void {
  const renderer = createRenderer({ templates: loadTemplates(templatesDir, createTemplateEngine()), agency: AGENCY });
  const people = Array.from({ length: PEOPLE }, (_, i) => person(i));
  const once = (count: number): { us: number; shortened: number; sample: string } => {
    const prepared = renderer.prepareEvent(event(), { sequence: 0 });
    let sample = '';
    let shortened = 0;
    const t0 = process.hrtime.bigint();
    for (const p of people.slice(0, count)) {
      const [m] = renderer.renderMessages(prepared, p, ['sms'], { messageIdFor: () => `m-${p.id}`, correlationId: 'c', now: '2025-09-25T08:30:01.000Z' });
      if (m === undefined || 'skipped' in m || m.channel !== 'sms') throw new Error('SMS skipped');
      if (m.text.includes('...')) shortened += 1;
      sample = m.text;
    }
    return { us: Number(process.hrtime.bigint() - t0) / 1e3 / count, shortened, sample };
  };
  once(2_000);
  const runs = [once(PEOPLE), once(PEOPLE), once(PEOPLE)];
  const us = runs.map((r) => r.us).sort((a, b) => a - b)[1] ?? NaN;
  console.log(`| ${label} | ${PEOPLE} | ${runs[0]?.shortened} | ${us.toFixed(1)} |`);
  console.log(`  e.g. ${runs[0]?.sample}`);
}

const copy = mkdtempSync(join(tmpdir(), 'sms-bench-templates-'));
try {
  cpSync(TEMPLATES, copy, { recursive: true });
  const sms = join(copy, 'meeting.scheduled', 'sms.hbs');
  writeFileSync(sms, `Kính gửi đồng chí {{recipient.name}}: ${readFileSync(sms, 'utf8')}`);
  console.log('| templates | SMS | shortened | µs per SMS (median of 3) |\n|---|---|---|---|');
  run(TEMPLATES, 'real');
  run(copy, 'personalised (greets by name)');
} finally {
  rmSync(copy, { recursive: true, force: true });
}
