import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ATTENDANCE_LABELS, attendanceAnsweredSchema, type AttendanceAnswer, type AttendanceAnswered, type Topics } from '@gateway/contracts';
import { formToken, isLinkCode, verifyFormToken, verifyLinkCode, type AttendanceStores, type LinkRecord, type MeetingSummary } from '@gateway/attendance';
import type { Logger } from '@gateway/common';
import type { Publisher } from '../app/publisher';

/**
 * The recipients' page (`/x/<code>`): no login, the personal code is the authority. It shows only
 * what the code's own record points to; an unknown or tampered code gets the same page as a code
 * that never existed. No script and no external asset: one inline style allowed by a per-response
 * nonce; no cookies, so a form token (an HMAC of the code) is what a POST must carry.
 */
export interface AttendancePageDeps {
  stores: AttendanceStores;
  secret: string;
  publisher: Publisher;
  topics: Topics;
  logger: Logger;
  now?: () => number;
}

const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#f4f4f1}
main{max-width:560px;margin:0 auto;padding:16px}h1{font-size:1.3rem;margin:0 0 12px;color:#8b0000}h2{font-size:1.1rem;margin:0 0 8px}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:14px;margin:0 0 14px}dl{margin:0}dt{font-weight:600;margin-top:6px}dd{margin:0}
.notice{border-left:4px solid #8b0000;background:#fff3f3;padding:10px 12px;margin:0 0 14px}.ok{border-left-color:#1b6e2a;background:#eef8ef}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin-bottom:8px}
.choice{display:flex;align-items:center;gap:10px;border:1px solid #bbb;border-radius:8px;padding:12px;margin:8px 0;background:#fff;font-weight:600}
.choice input{width:22px;height:22px}.sub{margin:0 0 8px 12px;padding-left:12px;border-left:2px solid #ddd}
label.f{display:block;margin:8px 0 4px;font-weight:500}input[type=text],input[type=tel],textarea{width:100%;font:inherit;padding:10px;border:1px solid #999;border-radius:6px;background:#fff}
textarea{min-height:80px}button{width:100%;font:inherit;font-weight:700;padding:14px;margin-top:14px;border:0;border-radius:8px;background:#8b0000;color:#fff}
.err{color:#a00000;font-weight:600}small{color:#555}`;

interface Page {
  status: number;
  title: string;
  body: string;
}

function send(res: Response, page: Page): void {
  const nonce = randomBytes(16).toString('base64');
  res
    .status(page.status)
    .set({
      'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      // The code is in the address: never pass it on.
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    })
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${esc(page.title)}</title><style nonce="${nonce}">${STYLE}</style></head><body><main>${page.body}</main></body></html>`,
    );
}

const notFound: Page = {
  status: 404,
  title: 'Không tìm thấy đường dẫn',
  body: '<h1>Không tìm thấy đường dẫn</h1><div class="card"><p>Đường dẫn xác nhận tham dự này không đúng hoặc không còn tồn tại. Đề nghị đồng chí kiểm tra lại đường dẫn trong tin nhắn hoặc thư mời, hoặc liên hệ đơn vị tổ chức cuộc họp.</p></div>',
};

const expired: Page = {
  status: 410,
  title: 'Đường dẫn đã hết hạn',
  body: '<h1>Đường dẫn đã hết hạn</h1><div class="card"><p>Cuộc họp đã kết thúc nên đường dẫn xác nhận tham dự không còn hiệu lực.</p></div>',
};

function meetingCard(meeting: MeetingSummary): string {
  const place = meeting.location ?? (meeting.onlineLink !== undefined ? `Họp trực tuyến: ${meeting.onlineLink}` : '');
  return `<div class="card"><h2>${esc(meeting.title)}</h2><dl><dt>Thời gian</dt><dd>${esc(meeting.timeText)}</dd>${place !== '' ? `<dt>Địa điểm</dt><dd>${esc(place)}</dd>` : ''}${meeting.chair !== undefined ? `<dt>Chủ trì</dt><dd>${esc(meeting.chair)}</dd>` : ''}</dl></div>`;
}

function answerText(answer: AttendanceAnswered): string {
  let text = ATTENDANCE_LABELS[answer.answer];
  if (answer.answer === 'absent' && answer.reason !== undefined) text += ` (lý do: ${answer.reason})`;
  if (answer.answer === 'delegate' && answer.delegate !== undefined) text += `: ${[answer.delegate.name, answer.delegate.title, answer.delegate.phone].filter(Boolean).join(', ')}`;
  return text;
}

interface FormValues {
  answer?: string;
  reason?: string;
  delegateName?: string;
  delegateTitle?: string;
  delegatePhone?: string;
}

function form(code: string, secret: string, values: FormValues, errors: readonly string[]): string {
  const checked = (a: AttendanceAnswer) => (values.answer === a ? ' checked' : '');
  const value = (v: string | undefined) => esc(v ?? '');
  const alert = errors.length > 0 ? `<div class="notice" role="alert">${errors.map((e) => `<p class="err">${esc(e)}</p>`).join('')}</div>` : '';
  return `${alert}<form method="post" class="card"><input type="hidden" name="token" value="${esc(formToken(secret, code))}"><fieldset><legend>Ý kiến của đồng chí</legend>
<label class="choice"><input type="radio" name="answer" value="attending"${checked('attending')}> ${ATTENDANCE_LABELS.attending}</label>
<label class="choice"><input type="radio" name="answer" value="absent"${checked('absent')}> ${ATTENDANCE_LABELS.absent}</label>
<div class="sub"><label class="f" for="reason">Lý do vắng mặt <small>(bắt buộc khi vắng mặt)</small></label><textarea id="reason" name="reason" maxlength="1000">${value(values.reason)}</textarea></div>
<label class="choice"><input type="radio" name="answer" value="delegate"${checked('delegate')}> ${ATTENDANCE_LABELS.delegate}</label>
<div class="sub"><label class="f" for="delegateName">Họ và tên người dự thay</label><input type="text" id="delegateName" name="delegateName" maxlength="200" autocomplete="off" value="${value(values.delegateName)}">
<label class="f" for="delegateTitle">Chức vụ</label><input type="text" id="delegateTitle" name="delegateTitle" maxlength="200" autocomplete="off" value="${value(values.delegateTitle)}">
<label class="f" for="delegatePhone">Số điện thoại</label><input type="tel" id="delegatePhone" name="delegatePhone" maxlength="32" autocomplete="off" inputmode="tel" value="${value(values.delegatePhone)}"></div>
</fieldset><button type="submit">Gửi xác nhận</button></form>`;
}

/** Vietnamese messages that name the field, for the contract's issues. */
function issueMessage(path: string): string {
  if (path === 'reason') return 'Chưa có lý do vắng mặt: đề nghị ghi rõ lý do vào ô “Lý do vắng mặt”.';
  if (path === 'delegate.name' || path === 'delegate') return 'Chưa có họ và tên người dự thay: đề nghị ghi vào ô “Họ và tên người dự thay”.';
  if (path === 'delegate.phone') return 'Số điện thoại người dự thay không hợp lệ (ô “Số điện thoại”), ví dụ: 0905 123 456.';
  if (path === 'delegate.title') return 'Chức vụ người dự thay quá dài (ô “Chức vụ”).';
  if (path === 'answer') return 'Đề nghị chọn một ý kiến: Tham dự, Vắng mặt hoặc Cử người dự thay.';
  return 'Thông tin chưa hợp lệ; đề nghị kiểm tra lại.';
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

export function createAttendancePageRouter(deps: AttendancePageDeps): express.Router {
  const now = deps.now ?? Date.now;
  const router = express.Router();

  /** The code's record and meeting, or the page to answer with. */
  async function open(code: string): Promise<{ link: LinkRecord; meeting: MeetingSummary } | Page> {
    if (!isLinkCode(code)) return notFound;
    const link = await deps.stores.links.link(code);
    if (link === undefined || !verifyLinkCode(deps.secret, code, link)) return notFound;
    const meeting = await deps.stores.links.meeting(link.source, link.meetingId);
    if (meeting === undefined || !meeting.invitees.some((i) => i.personId === link.personId)) return notFound;
    if (now() > Date.parse(meeting.expiresAt)) return expired;
    return { link, meeting };
  }

  function view(code: string, link: LinkRecord, meeting: MeetingSummary, current: AttendanceAnswered | undefined, extra: { status?: number; notice?: string; ok?: boolean; values?: FormValues; errors?: string[] } = {}): Page {
    const person = meeting.invitees.find((i) => i.personId === link.personId);
    const greeting = `<p>Kính gửi đồng chí <strong>${esc(person?.name ?? '')}</strong>${person?.title !== undefined ? `, ${esc(person.title)}` : ''}.</p>`;
    const head = `<h1>Xác nhận tham dự</h1>${greeting}${meetingCard(meeting)}`;
    const notice = extra.notice !== undefined ? `<div class="notice${extra.ok === true ? ' ok' : ''}" role="status"><p>${esc(extra.notice)}</p></div>` : '';
    const currentLine = current !== undefined && extra.notice === undefined ? `<p>Ý kiến đã ghi nhận: <strong>${esc(answerText(current))}</strong>.</p>` : '';
    if (meeting.cancelled) return { status: 200, title: 'Cuộc họp đã hủy', body: `${head}<div class="notice" role="status"><p>Cuộc họp này đã bị hủy. Đồng chí không cần xác nhận tham dự.</p></div>` };
    if (!meeting.confirmationRequired) return { status: 200, title: 'Xác nhận tham dự', body: `${head}<div class="notice" role="status"><p>Cuộc họp này không yêu cầu xác nhận tham dự.</p></div>` };
    if (now() >= Date.parse(meeting.start)) {
      return { status: extra.status ?? 200, title: 'Đã hết thời hạn xác nhận', body: `${head}${currentLine}<div class="notice" role="status"><p>Cuộc họp đã bắt đầu: việc xác nhận tham dự đã kết thúc, không thể thay đổi ý kiến.</p></div>` };
    }
    const values: FormValues = extra.values ?? (current !== undefined ? { answer: current.answer, reason: current.reason, delegateName: current.delegate?.name, delegateTitle: current.delegate?.title, delegatePhone: current.delegate?.phone } : {});
    const hint = current !== undefined && extra.notice === undefined ? '<p><small>Đồng chí có thể thay đổi ý kiến cho đến khi cuộc họp bắt đầu.</small></p>' : '';
    return { status: extra.status ?? 200, title: 'Xác nhận tham dự', body: `${head}${notice}${currentLine}${hint}${form(code, deps.secret, values, extra.errors ?? [])}` };
  }

  const route = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };

  router.get(
    '/x/:code',
    route(async (req, res) => {
      const code = String(req.params.code);
      const opened = await open(code);
      if (!('link' in opened)) return send(res, opened);
      const { link, meeting } = opened;
      send(res, view(code, link, meeting, await deps.stores.answers.answerOf(link.source, link.meetingId, link.personId)));
    }),
  );

  router.post(
    '/x/:code',
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }),
    route(async (req, res) => {
      const code = String(req.params.code);
      const opened = await open(code);
      if (!('link' in opened)) return send(res, opened);
      const { link, meeting } = opened;
      const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
      const current = await deps.stores.answers.answerOf(link.source, link.meetingId, link.personId);
      if (!verifyFormToken(deps.secret, code, text(body.token))) {
        return send(res, view(code, link, meeting, current, { status: 403, errors: ['Biểu mẫu không hợp lệ hoặc đã cũ: đề nghị mở lại đường dẫn và gửi lại ý kiến.'] }));
      }
      if (meeting.cancelled || !meeting.confirmationRequired || now() >= Date.parse(meeting.start)) return send(res, view(code, link, meeting, current, { status: 409 }));
      const values: FormValues = { answer: text(body.answer), reason: text(body.reason), delegateName: text(body.delegateName), delegateTitle: text(body.delegateTitle), delegatePhone: text(body.delegatePhone) };
      const raw: Record<string, unknown> = { type: 'attendance.answered', source: link.source, meetingId: link.meetingId, personId: link.personId, answer: values.answer, channel: 'link', at: new Date(now()).toISOString() };
      if (values.answer === 'absent' && values.reason !== '') raw.reason = values.reason;
      if (values.answer === 'delegate') {
        raw.delegate = { name: values.delegateName, ...(values.delegateTitle !== '' ? { title: values.delegateTitle } : {}), ...(values.delegatePhone !== '' ? { phone: values.delegatePhone } : {}) };
      }
      const parsed = attendanceAnsweredSchema.safeParse(raw);
      if (!parsed.success) {
        const errors = [...new Set(parsed.error.issues.map((i) => issueMessage(i.path.join('.'))))];
        return send(res, view(code, link, meeting, current, { status: 400, values, errors }));
      }
      const answer = parsed.data;
      await deps.publisher.publish([{ topic: deps.topics.attendance, key: `${answer.source}:${answer.meetingId}`, value: JSON.stringify(answer), headers: { 'event-type': answer.type } }]);
      deps.logger.info({ meetingId: answer.meetingId, answer: answer.answer }, 'attendance answered');
      send(res, view(code, link, meeting, answer, { notice: `Đã ghi nhận ý kiến của đồng chí: ${answerText(answer)}. Đồng chí có thể thay đổi ý kiến cho đến khi cuộc họp bắt đầu.`, ok: true }));
    }),
  );
  return router;
}
