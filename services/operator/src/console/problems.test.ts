import { fieldName, problemText } from './problems';
import { searchQuerySchema } from '../entry-points/api-schemas';

/** What the search answers for a query the list page sends, as the HTTP layer builds it. */
function refusal(query: Record<string, string>) {
  const parsed = searchQuerySchema.safeParse(query);
  if (parsed.success) throw new Error('expected the query to be refused');
  return { type: '/problems/invalid-fields', title: 'Invalid request', errors: parsed.error.issues.map((i) => ({ path: ['query', ...i.path.map(String)].join('.'), message: i.message })) };
}

describe('the console\'s error messages', () => {
  it('when the list\'s filter has a "from" that is not a date, then the message is Vietnamese and names the field as the form does', () => {
    const text = problemText(400, refusal({ status: 'failed,dead,undelivered', from: 'hôm qua', page: '1', pageSize: '50', sort: '-updatedAt' }));
    expect(text).toBe('Thông tin chưa đúng. Từ: phải là ngày hoặc ngày giờ theo ISO 8601 có múi giờ, vd. 2025-09-29 hoặc 2025-09-29T08:00:00+07:00');
  });

  it('when every filter of the list is wrong at once, then each is named in Vietnamese, and no English word of the server reaches the clerk', () => {
    const text = problemText(400, refusal({ status: 'lost', channel: 'fax', from: 'x', to: 'y', eventId: 'a b', source: '', recipient: ' ', page: '0', pageSize: '9999', sort: 'name', extra: '1' }));
    for (const field of ['Trạng thái', 'Kênh', 'Từ', 'Đến', 'Mã sự kiện', 'Hệ thống gửi', 'Người nhận', 'Trang', 'Số tin mỗi trang', 'Thứ tự', 'Bộ lọc']) expect([field, text.includes(`${field}: `)]).toEqual([field, true]);
    expect(text).not.toMatch(/\b(must|Invalid|expected|Unrecognized|Too (big|small)|query\.)\b/i);
  });

  it('when a resend is refused or the server fails, then the reason is Vietnamese, from the problem\'s code, not its English detail', () => {
    expect(problemText(409, { type: '/problems/already-resent', detail: 'Already resent as r-1 by van-thu' })).toMatch(/^Không gửi lại: tin này đã được gửi lại/);
    expect(problemText(409, { type: '/problems/already-delivered', detail: 'The message is delivered' })).toMatch(/đã đến người nhận/);
    expect(problemText(409, { type: '/problems/something-new' })).toBe('Không gửi lại: tin này không gửi lại được lúc này.');
    expect(problemText(409, { type: '/problems/ambiguous-event', title: 'Several sources sent an event with this id' })).toMatch(/^Nhiều hệ thống gửi đã dùng mã sự kiện này/);
    expect(problemText(400, { errors: [{ path: 'body.phone', message: 'not a Vietnamese mobile number' }] })).toMatch(/^Thông tin chưa đúng\. Số điện thoại: không phải số di động/);
    expect(problemText(503, { title: 'Temporarily unavailable' })).toMatch(/^Hệ thống tạm thời không trả lời/);
    expect(problemText(404, { title: 'Unknown notification' })).toMatch(/^Không tìm thấy/);
    expect(problemText(403)).toBe('Khóa của bạn không có quyền làm việc này.');
    expect(fieldName('query.unknown')).toBe('query.unknown');
  });

  it('when a valid corrected email is refused because the invitation cannot take it, then the server\'s Vietnamese reason is shown, not "not a usable email"', () => {
    const text = problemText(400, { type: '/problems/invalid-fields', errors: [{ path: 'body.email', code: 'cannot-readdress', message: 'lời mời họp của tin này không ghi địa chỉ email đã gửi, nên không đổi được sang địa chỉ mới; hãy gửi lại mà không sửa email.' }] });
    expect(text).toBe('Thông tin chưa đúng. Email: lời mời họp của tin này không ghi địa chỉ email đã gửi, nên không đổi được sang địa chỉ mới; hãy gửi lại mà không sửa email.');
    expect(problemText(409, { type: '/problems/cannot-readdress' })).toMatch(/^Không gửi lại: lời mời họp/);
  });
});
