// @ts-check
// What the console says when the API refuses or fails: always Vietnamese, naming the field the
// clerk can fix. The server's problem documents have English titles and details (they are also
// read by sending systems and the CLI); their codes and field paths are what this file reads.
// Imported by api.js for its effect (it leaves its functions on window), and loaded by the unit test
// through module.exports: jest runs CommonJS, so this file stays a classic script, not a module.
/** @typedef {import('./problems').ProblemDocument} ProblemDocument */

(/** @param {typeof globalThis & { GatewayProblems?: unknown }} root */ function (root) {
  'use strict';

  /** @type {Record<string, string>} */
  const FIELDS = {
    query: 'Bộ lọc',
    'query.status': 'Trạng thái', 'query.channel': 'Kênh', 'query.urgency': 'Độ khẩn', 'query.recipient': 'Người nhận',
    'query.eventId': 'Mã sự kiện', 'query.source': 'Hệ thống gửi', 'query.from': 'Từ', 'query.to': 'Đến',
    'query.page': 'Trang', 'query.pageSize': 'Số tin mỗi trang', 'query.sort': 'Thứ tự', 'query.attempts': 'Các lần gửi',
    'query.actor': 'Người thao tác', 'query.action': 'Việc',
    'body.phone': 'Số điện thoại', 'body.email': 'Email', 'body.updateDirectory': 'Cập nhật danh bạ', 'body.requestId': 'Mã yêu cầu',
    'body.filter': 'Bộ lọc', 'body.filter.status': 'Trạng thái', 'body.filter.channel': 'Kênh', 'body.filter.from': 'Từ', 'body.filter.to': 'Đến',
    'body.filter.recipient': 'Người nhận', 'body.filter.eventId': 'Mã sự kiện', 'body.filter.source': 'Hệ thống gửi', 'body.filter.urgency': 'Độ khẩn',
  };

  // The corrections form's fields: the server's reasons for these are English, so the console says its own.
  /** @type {Record<string, string>} */
  const BODY_MESSAGES = {
    'body.phone': 'không phải số di động Việt Nam dùng được (vd. 0905 123 456 hoặc +84 905 123 456).',
    'body.email': 'không phải địa chỉ email dùng được (vd. nvan@danang.gov.vn).',
    'body.updateDirectory': 'cần có số điện thoại hoặc email đã sửa để ghi vào danh bạ.',
  };

  /** @type {Record<string, string>} */
  const CONFLICTS = {
    'already-delivered': 'tin này đã đến người nhận; gửi lại thì người nhận sẽ nhận hai lần.',
    'already-resent': 'tin này đã được gửi lại, và lần gửi lại đang trên đường hoặc đã đến người nhận.',
    'not-resendable': 'tin này chưa kết thúc (đang chờ hoặc đang gửi); chỉ gửi lại tin thất bại, hết lượt thử hoặc không đến được.',
    'no-copy': 'hệ thống không giữ bản sao của tin này, nên không gửi lại được từ đây.',
    'request-reused': 'mã yêu cầu này đã dùng cho một lần gửi lại khác; hãy tải lại trang rồi thử lại.',
    'cannot-readdress': 'lời mời họp của tin này không đổi được sang địa chỉ email đã sửa trước đó.',
    'cannot-build': 'bản sao của tin này không còn dùng được để gửi lại.',
  };

  /**
   * The field as the clerk knows it from the form.
   * @param {string} path
   * @returns {string}
   */
  function fieldName(path) {
    return FIELDS[path] || path;
  }

  /**
   * The code at the end of a problem's type (`/problems/already-resent`).
   * @param {ProblemDocument | undefined} p
   * @returns {string}
   */
  function problemCode(p) {
    return p && typeof p.type === 'string' ? p.type.split('/').pop() || '' : '';
  }

  /**
   * One sentence for a refused or failed call: the status, and the problem document if there is one.
   * @param {number} status
   * @param {ProblemDocument} [p] whatever the server answered: read defensively
   * @returns {string}
   */
  function problemText(status, p) {
    if (status === 401) return 'Khóa không đúng hoặc đã bị thu hồi; hãy đăng nhập lại.';
    if (status === 403) return 'Khóa của bạn không có quyền làm việc này.';
    if (status === 409) {
      const code = problemCode(p);
      if (code === 'job-not-running') return 'Lượt gửi lại hàng loạt này đã kết thúc.';
      if (code === 'ambiguous-event') return 'Nhiều hệ thống gửi đã dùng mã sự kiện này; hãy chọn một hệ thống gửi.';
      return `Không gửi lại: ${CONFLICTS[code] || 'tin này không gửi lại được lúc này.'}`;
    }
    if (status === 400) {
      // A field error with a code is the server's own Vietnamese sentence (the value is valid, the message cannot take it).
      const errors = (p && Array.isArray(p.errors) ? p.errors : []).map((e) => `${fieldName(e.path)}: ${(!e.code && BODY_MESSAGES[e.path]) || e.message}`);
      if (problemCode(p) === 'malformed-json') return 'Yêu cầu gửi lên không đúng định dạng; hãy tải lại trang rồi thử lại.';
      return errors.length ? `Thông tin chưa đúng. ${errors.join('; ')}` : 'Yêu cầu không hợp lệ; hãy tải lại trang rồi thử lại.';
    }
    if (status === 404) return 'Không tìm thấy (có thể đã quá 90 ngày, hoặc mã không đúng).';
    if (status === 429) return 'Có quá nhiều yêu cầu cùng lúc; hãy đợi một chút rồi thử lại.';
    if (status >= 500) return 'Hệ thống tạm thời không trả lời (kho dữ liệu hoặc hàng đợi tin); hãy thử lại sau ít phút.';
    return `Lỗi ${status}.`;
  }

  /** When the server could not be reached at all, or answered something that is not JSON. */
  const NETWORK_TEXT = 'Không kết nối được tới máy chủ; hãy kiểm tra mạng rồi thử lại.';

  const api = { fieldName, problemText, NETWORK_TEXT };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.GatewayProblems = api;
})(globalThis);
