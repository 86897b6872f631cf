import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayEvent } from '@gateway/contracts';
import { isSkipped, type RenderResult } from './render';
import { ALL_CHANNELS, contextFor, example, person, realRenderer, variant } from '../../../test/render-support';
import type { RecipientPerson } from './view-model';

/**
 * Every template and channel, pinned byte for byte. Per fixture: `<name>.txt` (SMS with its
 * encoding and segments, subjects, plain text, push, in-app), `<name>.email.html` and, for
 * meetings, `<name>.email.ics`. After a deliberate template change, regenerate with
 *   UPDATE_GOLDEN=1 npx jest services/renderer/src/app/render/golden
 * and read the diff before committing it.
 */

const GOLDEN_DIR = join(__dirname, '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Fixture {
  name: string;
  about: string;
  event: GatewayEvent;
  person: RecipientPerson;
  sequence?: number;
  /** The personal attendance link, for meetings that require confirmation. */
  confirmLink?: string;
}

const bch = example('meeting-scheduled-hoi-nghi-bch');
const moved = example('meeting-updated-chuyen-chieu');
const cancelled = example('meeting-cancelled');
const hoaToc = example('document-dispatched-hoa-toc');
const mat = example('document-dispatched-mat');
const recalled = example('document-recalled');

const onlineOnly = variant('meeting-scheduled-hoi-nghi-bch', (data, event) => {
  for (const key of ['number', 'issuingBody', 'signer', 'location', 'attachments']) delete data[key];
  event.id = 'skhcn-lichhop-2025-0601-1';
  data.onlineLink = 'https://hoptructuyen.danang.gov.vn/phong/giao-ban-cds-thang-10';
  data.meetingId = 'ubnd-hop-2025-0601';
  data.title = 'Giao ban trực tuyến công tác chuyển đổi số tháng 10 năm 2025';
  data.organizerUnit = 'Sở Khoa học và Công nghệ';
  data.chair = 'Đồng chí Phó Chủ tịch Ủy ban nhân dân thành phố';
  data.agenda = 'Đánh giá tiến độ triển khai Đề án 06 và kế hoạch tháng 11';
  data.confirmationRequired = false;
  data.urgency = 'thuong';
});

const placeMoved = variant('meeting-updated-chuyen-chieu', (data) => {
  data.onlineLink = 'https://hoptructuyen.danang.gov.vn/phong/btv-de-an-bo-may';
  data.location = 'Hội trường lớn, Trụ sở Thành ủy';
  data.previous = { location: 'Phòng họp Ban Thường vụ, tầng 3, Trụ sở Thành ủy' };
  data.urgency = 'thuong-khan';
  data.confirmationRequired = false;
  data.reason = 'Bổ sung thành phần dự họp là Bí thư Đảng ủy các phường, xã tham dự trực tuyến.';
});

const secretRecall = variant('document-recalled', (data) => {
  data.secrecy = 'toi-mat';
  data.summary = 'Phương án bố trí lực lượng bảo vệ Đại hội';
  data.urgency = 'hoa-toc';
});

const noTitle: RecipientPerson = { id: 'nguyen-thi-b', name: 'Nguyễn Thị B', email: 'ntb@danang.gov.vn', phone: '+84905000111', userId: 'u-30001' };

const FIXTURES: Fixture[] = [
  { name: 'meeting-scheduled-hoi-nghi-bch', about: 'City Party committee conference, broadcast to every ward and commune', event: bch, person: person(bch, 'nguyen-van-an'), confirmLink: 'https://tb.danang.gov.vn/x/3kT9wQ2mLx7a' },
  { name: 'meeting-scheduled-truc-tuyen', about: 'Online-only meeting of a state body, no optional fields, recipient without title', event: onlineOnly, person: noTitle },
  { name: 'meeting-updated-chuyen-chieu', about: 'Meeting moved to the afternoon', event: moved, person: person(moved, 'nguyen-van-an'), sequence: 3, confirmLink: 'https://tb.danang.gov.vn/x/3kT9wQ2mLx7a' },
  { name: 'meeting-updated-doi-dia-diem', about: 'Meeting moved to a larger hall and opened online', event: placeMoved, person: person(placeMoved, 'dang-van-khoa'), sequence: 4 },
  { name: 'meeting-cancelled', about: 'Cancelled meeting', event: cancelled, person: person(cancelled, 'le-minh-tuan'), sequence: 2 },
  { name: 'document-dispatched-hoa-toc', about: 'Hỏa tốc dispatch with a deadline', event: hoaToc, person: person(hoaToc, 'le-minh-tuan') },
  { name: 'document-dispatched-mat', about: 'Mật document: notice and link only', event: mat, person: person(mat, 'ho-van-duc') },
  { name: 'document-recalled', about: 'Recall of an ordinary document', event: recalled, person: person(recalled, 'nguyen-van-an') },
  { name: 'document-recalled-toi-mat', about: 'Recall of a tối mật document: notice and link only', event: secretRecall, person: person(secretRecall, 'nguyen-van-an') },
];

function section(title: string, body?: string): string {
  return body === undefined ? `== ${title}\n` : `== ${title}\n${body}\n`;
}

/** The readable file: everything but the HTML and the calendar, which get files of their own. */
function dump(fixture: Fixture, results: RenderResult[]): { txt: string; html: string | null; ics: string | null } {
  let txt = `# ${fixture.about}\n# event ${fixture.event.id}, recipient ${fixture.person.name} (${fixture.person.id})\n\n`;
  let html: string | null = null;
  let ics: string | null = null;
  for (const r of results) {
    if (isSkipped(r)) {
      txt += section(`${r.channel}: skipped (${r.reason})`);
      continue;
    }
    switch (r.channel) {
      case 'sms':
        txt += section(`sms: ${r.encoding}, ${r.segments} segment(s), diacritics ${r.diacritics}`, r.text);
        break;
      case 'email':
        txt += section('email.subject', r.subject) + section('email.text', r.text);
        html = r.html;
        if (r.calendar !== undefined) {
          txt += section(`email.calendar: METHOD:${r.calendar.method} UID:${r.calendar.uid} SEQUENCE:${r.calendar.sequence} (see ${fixture.name}.email.ics)`);
          ics = r.calendar.ics;
        }
        break;
      case 'push':
      case 'inapp':
        txt += section(`${r.channel}.title`, r.title) + section(`${r.channel}.url`, r.url ?? '(none)') + section(`${r.channel}.body`, r.body);
        break;
    }
    txt += '\n';
  }
  return { txt, html, ics };
}

function expectGolden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`no golden file ${file}; create it with UPDATE_GOLDEN=1`);
  // Compared as bytes: the calendar's CRLF line ends and UTF-8 folding are part of the contract.
  const expected = readFileSync(path);
  const got = Buffer.from(actual, 'utf8');
  if (!expected.equals(got)) expect(actual).toBe(expected.toString('utf8'));
}

describe('golden messages', () => {
  const renderer = realRenderer();
  const produced = new Set<string>();

  describe.each(FIXTURES)('$name', (fixture) => {
    test(`when "${fixture.about}" is rendered on every channel, then every part matches the golden files`, () => {
      const results = renderer.renderMessages(fixture.event, fixture.person, ALL_CHANNELS, { ...contextFor(fixture.event, fixture.person, fixture.sequence), confirmLink: fixture.confirmLink });
      const { txt, html, ics } = dump(fixture, results);
      expect(results.every((r) => !isSkipped(r))).toBe(true);
      expectGolden(`${fixture.name}.txt`, txt);
      produced.add(`${fixture.name}.txt`);
      if (html !== null) {
        expectGolden(`${fixture.name}.email.html`, html);
        produced.add(`${fixture.name}.email.html`);
      }
      if (ics !== null) {
        expectGolden(`${fixture.name}.email.ics`, ics);
        produced.add(`${fixture.name}.email.ics`);
      }
    });
  });

  test('when every fixture has run, then no golden file is left over from a fixture that no longer exists', () => {
    const files = readdirSync(GOLDEN_DIR).filter((f) => !f.startsWith('.'));
    expect(files.filter((f) => !produced.has(f))).toEqual([]);
  });
});
