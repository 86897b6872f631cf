import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelMessageSchema, EXAMPLE_NAMES, type Channel, type GatewayEvent, type PushMessage, type SmsMessage } from '@gateway/contracts';
import { analyzeSms, stripDiacritics, TemplateError } from '../../domain';
import { createTemplateEngine } from '../../adapters/handlebars-engine';
import { loadTemplates } from '../../adapters/template-files';
import { createRenderer, isSkipped, type RenderResult, type SkippedMessage } from './render';
import { AGENCY, ALL_CHANNELS, contextFor, example, inlinePeople, person, realRenderer, realTemplates, templatesCopy, variant } from '../../../test/render-support';
import { recipientView, type RecipientPerson } from './view-model';

const SAMPLE: RecipientPerson = {
  id: 'nguyen-van-a',
  name: 'Nguyễn Văn A',
  title: 'Chuyên viên',
  unit: 'Văn phòng Thành ủy',
  phone: '+84912345678',
  email: 'nguyenvana@danang.gov.vn',
  userId: 'u-00001',
};

function only<C extends Channel>(results: RenderResult[], channel: C): Extract<RenderResult, { channel: C; skipped?: never }> {
  const found = results.find((r) => r.channel === channel);
  if (found === undefined || isSkipped(found)) throw new Error(`expected a ${channel} message, got ${JSON.stringify(found)}`);
  return found as Extract<RenderResult, { channel: C; skipped?: never }>;
}

function skipped(results: RenderResult[], channel: Channel): SkippedMessage {
  const found = results.find((r) => r.channel === channel);
  if (found === undefined || !isSkipped(found)) throw new Error(`expected ${channel} to be skipped, got ${JSON.stringify(found)}`);
  return found;
}

const render = (event: GatewayEvent, who: RecipientPerson = SAMPLE, channels: readonly Channel[] = ALL_CHANNELS, sequence?: number) =>
  realRenderer().renderMessages(event, who, channels, contextFor(event, who, sequence));

describe('renderMessages', () => {
  describe('contracts', () => {
    test.each([...EXAMPLE_NAMES])('when %s is rendered for each inline recipient and a directory person, then every message parses as a channel message', (name) => {
      const event = example(name);
      for (const who of [...inlinePeople(event), SAMPLE]) {
        for (const result of render(event, who)) {
          if (isSkipped(result)) continue;
          const parsed = channelMessageSchema.safeParse(result);
          expect(parsed.error?.issues ?? []).toEqual([]);
          expect(parsed.data).toEqual(result);
        }
      }
    });

    test('when a message is rendered, then it carries the ids, event type, urgency and recipient given', () => {
      const event = example('document-dispatched-hoa-toc');
      const who = person(event, 'le-minh-tuan');
      const sms = only(render(event, who, ['sms']), 'sms');
      expect(sms).toMatchObject({
        id: 'vptu-vanban-2025-125-di:le-minh-tuan:sms',
        eventId: 'vptu-vanban-2025-125-di',
        eventType: 'document.dispatched',
        correlationId: 'corr-vptu-vanban-2025-125-di',
        createdAt: '2025-09-25T08:30:01.000Z',
        urgency: 'hoa-toc',
        secrecy: 'thuong',
        attempt: 1,
        recipient: { id: 'le-minh-tuan', name: 'Lê Minh Tuấn', phone: '+84983214567', email: 'lmtuan@danang.gov.vn', userId: 'u-20417' },
      });
    });

    test('when channels are asked for, then results come back in the same order, one per channel', () => {
      const results = render(example('meeting-cancelled'), SAMPLE, ['inapp', 'sms', 'push', 'email']);
      expect(results.map((r) => r.channel)).toEqual(['inapp', 'sms', 'push', 'email']);
    });
  });

  describe('HTML in event fields', () => {
    const title = 'Họp <script>alert("x")</script> & "bàn giao"';
    const event = variant('meeting-scheduled-hoi-nghi-bch', (data) => {
      data.title = title;
      data.chair = '<b>Đồng chí</b> Bí thư';
    });
    const who = { ...SAMPLE, name: 'Trần <i>Văn</i> B & "C"' };
    const results = render(event, who);

    test('when a title holds <script>, then the email HTML escapes it, and the recipient name too', () => {
      const email = only(results, 'email');
      expect(email.html).not.toContain('<script>');
      expect(email.html).toContain('Họp &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;bàn giao&quot;');
      expect(email.html).toContain('&lt;b&gt;Đồng chí&lt;/b&gt; Bí thư');
      expect(email.html).toContain('Trần &lt;i&gt;Văn&lt;/i&gt; B &amp; &quot;C&quot;');
      expect(email.html).not.toContain('<i>Văn</i>');
    });

    test('when a title holds <script>, then SMS, push, in-app and the plain-text email keep it as literal text', () => {
      expect(stripDiacritics(only(results, 'sms').text)).toContain(stripDiacritics(title));
      expect(only(results, 'push').body).toContain(title);
      expect(only(results, 'inapp').title).toContain(title);
      expect(only(results, 'email').text).toContain(title);
      expect(only(results, 'email').subject).toContain(title);
      expect(only(results, 'email').text).toContain('Trần <i>Văn</i> B & "C"');
    });
  });

  describe('SMS', () => {
    test.each([...EXAMPLE_NAMES])('when %s is sent by SMS, then the encoding and segments recorded are those of the text sent', (name) => {
      const sms = only(render(example(name), SAMPLE, ['sms']), 'sms');
      const analysis = analyzeSms(sms.text);
      expect({ encoding: sms.encoding, segments: sms.segments }).toEqual({ encoding: analysis.encoding, segments: analysis.segments });
    });

    test('when stripping diacritics saves segments (auto), then the SMS goes "không dấu" in GSM-7', () => {
      const sms = only(render(example('meeting-scheduled-hoi-nghi-bch'), SAMPLE, ['sms']), 'sms');
      expect(sms).toMatchObject({ diacritics: 'strip', encoding: 'GSM-7', segments: 3 });
      expect(sms.text).toBe(stripDiacritics(sms.text));
      expect(sms.text).toMatch(/^\[KHAN\] GIAY MOI 512-GM\/TU: Hoi nghi Ban Chap hanh/);
    });

    test('when the policy says keep, then the SMS keeps its diacritics and is counted as UCS-2', () => {
      const copy = templatesCopy();
      try {
        writeFileSync(join(copy.dir, 'document.dispatched/template.json'), JSON.stringify({ sms: { diacritics: 'keep', maxSegments: 5 } }));
        const renderer = createRenderer({ templates: loadTemplates(copy.dir, createTemplateEngine()), agency: AGENCY });
        const event = example('document-dispatched-mat');
        const [sms] = renderer.renderMessages(event, SAMPLE, ['sms'], contextFor(event, SAMPLE));
        expect(sms).toMatchObject({ channel: 'sms', diacritics: 'keep', encoding: 'UCS-2', segments: 2 });
        expect((sms as SmsMessage).text).toMatch(/^Đồng chí có văn bản MẬT mới số 36-HD\/VPTW\. Vui lòng đăng nhập hệ thống để xem: https:/);
      } finally {
        copy.remove();
      }
    });

    test('when the message is over the cap, then optional parts are dropped last first and the required ones stay', () => {
      const sms = only(render(example('meeting-updated-chuyen-chieu'), SAMPLE, ['sms']), 'sms');
      const { segments } = sms;
      expect(segments).toBeLessThanOrEqual(3);
      expect(sms.text).not.toContain('Ly do:'); // the last optional part goes first
      expect(sms.text).toContain('Thoi gian cu: tu 08 gio 00 den 11 gio 00');
      expect(sms.text).toContain('De nghi dong chi xac nhan tham du.');
    });

    test('when even the required parts are over the cap, then the title is shortened inside the SMS and time, place and confirmation stay', () => {
      const event = variant('meeting-scheduled-hoi-nghi-bch', (data) => {
        data.title = `Hội nghị ${'quán triệt, triển khai thực hiện Nghị quyết '.repeat(20)}`;
      });
      const results = render(event);
      const sms = only(results, 'sms');
      expect(sms).toMatchObject({ encoding: 'GSM-7', segments: 3, diacritics: 'strip' });
      const counted = analyzeSms(sms.text);
      expect(counted.segments).toBeLessThanOrEqual(3);
      expect(sms.text).toMatch(/^\[KHAN\] GIAY MOI 512-GM\/TU: Hoi nghi quan triet, trien khai .*\.\.\. Thoi gian: tu 08 gio 00 den 11 gio 30, Thu Hai, ngay 29\/9\/2025\. Dia diem: Hoi truong Thanh uy/);
      expect(sms.text).not.toContain('....');
      expect(sms.text).toContain('De nghi dong chi xac nhan tham du.');
      expect(only(results, 'email').subject).toContain('Hội nghị quán triệt');
    });
  });

  describe('missing contact data', () => {
    const event = example('meeting-scheduled-hoi-nghi-bch');

    test('when the person has no email address, then email is skipped with the reason and the id it would have had', () => {
      const results = render(event, { id: 'x', name: 'Phạm Thị Lan', phone: '+84362345678' }, ['email', 'sms']);
      expect(skipped(results, 'email')).toEqual({ channel: 'email', id: 'vptu-lichhop-2025-0512-1:x:email', skipped: true, reason: 'no email address' });
      expect(only(results, 'sms').channel).toBe('sms');
    });

    test('when the person has no phone or app account, then SMS, push and in-app are skipped, each with its reason', () => {
      const results = render(event, { id: 'y', name: 'Trần Văn C', email: 'tvc@danang.gov.vn' });
      expect(skipped(results, 'sms').reason).toBe('no phone number');
      expect(skipped(results, 'push').reason).toBe('no app user id to deliver web push to');
      expect(skipped(results, 'inapp').reason).toBe('no app user id for the in-app inbox');
      expect(only(results, 'email').channel).toBe('email');
    });
  });

  describe('push', () => {
    test('when the event carries the longest texts the contracts allow, then the push payload stays under 4 KB', () => {
      const event = variant('document-dispatched-hoa-toc', (data) => {
        data.summary = 'Về việc tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn; '.repeat(40).slice(0, 2000);
        data.issuingBody = 'Ban Chỉ huy phòng thủ dân sự, phòng chống thiên tai và tìm kiếm cứu nạn thành phố '.repeat(4).slice(0, 300);
        data.link = `https://vanban.danang.gov.vn/van-ban/${'a'.repeat(1900)}`;
      });
      const push = only(render(event), 'push') as PushMessage;
      const payload = JSON.stringify({ title: push.title, body: push.body, url: push.url });
      expect(Buffer.byteLength(payload, 'utf8')).toBeLessThan(3500);
      expect(push.body.endsWith('…')).toBe(true);
      expect(channelMessageSchema.safeParse(push).success).toBe(true);
    });

    test('when a meeting has an online link, then push and in-app open it; when cancelled, they carry no link', () => {
      expect(only(render(example('meeting-scheduled-hoi-nghi-bch')), 'push').url).toBe('https://hoptructuyen.danang.gov.vn/phong/hn-bch-lan-3');
      expect(only(render(example('meeting-cancelled')), 'push').url).toBeUndefined();
      expect(only(render(example('document-recalled')), 'inapp').url).toBe('https://vanban.danang.gov.vn/van-ban/vb-2025-tu-130');
    });
  });

  describe('errors', () => {
    test('when a template names a field the view model lacks, then a TemplateError propagates for the caller to dead-letter', () => {
      const copy = templatesCopy();
      try {
        writeFileSync(join(copy.dir, 'meeting.cancelled/push-body.hbs'), '{{meeting.room}}');
        const renderer = createRenderer({ templates: loadTemplates(copy.dir, createTemplateEngine()), agency: AGENCY });
        const event = example('meeting-cancelled');
        const call = () => renderer.renderMessages(event, SAMPLE, ['sms', 'push'], contextFor(event, SAMPLE));
        expect(call).toThrow(TemplateError);
        expect(call).toThrow('template "meeting.cancelled/push-body.hbs" failed to render: missing field "room" at line 1, column 3');
      } finally {
        copy.remove();
      }
    });

    test('when the agency calendar domain is not a host name, then createRenderer refuses at start', () => {
      expect(() => createRenderer({ templates: realTemplates(), agency: { ...AGENCY, calendarDomain: 'lich hop' } })).toThrow(/not a host name/);
    });

    test('when an event was prepared with one sequence and rendered with another, then it refuses rather than mix them', () => {
      const renderer = realRenderer();
      const event = example('meeting-updated-chuyen-chieu');
      const prepared = renderer.prepareEvent(event, { sequence: 2 });
      expect(() => renderer.renderMessages(prepared, SAMPLE, ['email'], contextFor(event, SAMPLE, 3))).toThrow(/prepared with sequence 2/);
    });
  });

  describe('repeatability and per-event work', () => {
    test('when the same event is rendered again by a fresh renderer, then every message is identical', () => {
      for (const name of EXAMPLE_NAMES) {
        const event = example(name);
        expect(render(event, SAMPLE, ALL_CHANNELS, 1)).toEqual(render(example(name), SAMPLE, ALL_CHANNELS, 1));
      }
    });

    test('when an event is prepared once and rendered for many people, then each message equals one rendered on its own', () => {
      const renderer = realRenderer();
      const event = example('meeting-scheduled-hoi-nghi-bch');
      const prepared = renderer.prepareEvent(event, { sequence: 0 });
      const people: RecipientPerson[] = [
        ...inlinePeople(event),
        SAMPLE,
        { ...SAMPLE, id: 'k', name: 'Lò Thị <Xuân> & "Mai"', title: '' },
        { ...SAMPLE, id: 'l', name: 'Hà', title: undefined, unit: undefined },
      ];
      for (const who of people) {
        const fresh = realRenderer().renderMessages(event, who, ALL_CHANNELS, contextFor(event, who, 0));
        expect(renderer.renderMessages(prepared, who, ALL_CHANNELS, contextFor(event, who))).toEqual(fresh);
      }
    });

    test('when parts are rendered through the per-event cache, then each equals a direct render with the full view model', () => {
      const renderer = realRenderer();
      for (const name of EXAMPLE_NAMES) {
        const prepared = renderer.prepareEvent(example(name));
        const set = prepared.partSet;
        const parts = [set.emailSubject, set.emailHtml, set.emailText, set.pushTitle, set.pushBody, set.inappTitle, set.inappBody, ...set.sms];
        for (const who of [SAMPLE, { ...SAMPLE, title: undefined }, { ...SAMPLE, name: '<Đinh> "Văn" & Út' }]) {
          const view = recipientView(who);
          for (const part of parts) {
            expect(prepared.parts.render(part, view)).toBe(part.template.render({ ...prepared.view, recipient: view }));
          }
        }
      }
    });
  });
});
