import { simpleParser, type Attachment } from 'mailparser';
import { sync as ical, type VEvent } from 'node-ical';
import { loadExample, type EmailMessage } from '@gateway/contracts';
import { kafkaBrokers, readAllMessages, waitFor } from '@gateway/tests/support/infra';
import { startMailPipeline, type MailPipeline } from './mail-pipeline';

jest.setTimeout(150_000);

const WRONG = 'nvan.cu@example.gov.vn';
const RIGHT = 'nguyen.van.an@example.gov.vn';

/** The mail's calendar parts (the text/calendar alternative and the invite.ics attachment), parsed. */
const parseEvents = (ics: string): VEvent[] => Object.values(ical.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
function calendarEvents(attachments: Attachment[]): VEvent[] {
  return attachments.filter((a) => a.contentType === 'text/calendar' || a.contentType === 'application/ics').flatMap((a) => parseEvents(a.content.toString('utf8')));
}

const attendeeAddresses = (event: VEvent): string[] => {
  const list = event.attendee === undefined ? [] : Array.isArray(event.attendee) ? event.attendee : [event.attendee];
  return list.map((a) => (typeof a === 'string' ? a : a.val).toLowerCase());
};

describe('a meeting invitation resent with a corrected email (intake, renderer, email worker, operator, real SMTP)', () => {
  let p: MailPipeline;

  beforeAll(async () => {
    p = await startMailPipeline('op-mail');
  });

  afterAll(async () => {
    await p?.stop();
  });

  it('when the relay refused the old address and the operator resends to the corrected one, then the mail that reaches the relay names only the corrected address: envelope, To, and the ATTENDEE of both calendar parts', async () => {
    p.smtp.answerRcpt({ code: 550, text: '5.1.1 mailbox unavailable' });
    const eventId = `${p.prefix}-evt`;
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
    const event = { ...example, id: eventId, data: { ...example.data, meetingId: `${eventId}-hop`, participants: [{ id: 'nguyen-van-an', name: 'Nguyễn Văn An', email: WRONG }] } };
    const posted = await fetch(`${p.intake.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(posted.status).toBe(202);
    const auth = { authorization: `Bearer ${p.key}` };
    const failedId = await waitFor(async () => {
      const body = (await (await fetch(`${p.operator.url}/v1/notifications?eventId=${eventId}&channel=email&status=failed`, { headers: auth })).json()) as { items: Array<{ messageId: string }> };
      return body.items[0]?.messageId ?? '';
    }, { timeoutMs: 60_000, message: 'the refused invitation recorded as failed' });
    // The rendered invitation names the old address in its calendar part.
    const [rendered] = (await readAllMessages(kafkaBrokers(), p.topics.email, { expected: 1 })).map((m) => JSON.parse(m.value) as EmailMessage);
    const original = parseEvents(rendered?.calendar?.ics ?? '')[0];
    expect(original && attendeeAddresses(original)).toEqual([`mailto:${WRONG}`]);

    const resend = await fetch(`${p.operator.url}/v1/notifications/${failedId}/resend`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ email: RIGHT, requestId: 'fix-email' }) });
    expect(resend.status).toBe(202);
    await waitFor(() => p.smtp.accepted.length > 0, { timeoutMs: 60_000, message: 'the corrected invitation accepted by the relay' });
    const [received] = p.smtp.accepted;
    expect(received?.to).toEqual([RIGHT]);
    const mail = await simpleParser(received?.raw ?? Buffer.alloc(0));
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.value).toEqual([{ name: 'Nguyễn Văn An', address: RIGHT }]);
    const events = calendarEvents(mail.attachments);
    expect(events).toHaveLength(2);
    for (const e of events) expect(attendeeAddresses(e)).toEqual([`mailto:${RIGHT}`]);
    // The same meeting: a calendar client files the corrected invitation under the same UID.
    expect(events[0]?.uid).toBe(original?.uid);
    expect(events[0]?.summary).toBe(original?.summary);
    // The old address is nowhere in what the person receives.
    const decoded = [mail.subject ?? '', mail.text ?? '', typeof mail.html === 'string' ? mail.html : '', ...mail.attachments.map((a) => a.content.toString('utf8')), ...[...mail.headers.values()].map((v) => JSON.stringify(v))].join('\n');
    expect(decoded).not.toContain(WRONG);
    expect(decoded).toContain(RIGHT);
  });
});
