import type { NotificationRecord } from './notification';

const BY_CODE: Record<string, string> = {
  // Twilio
  '21211': 'Số điện thoại không đúng (nhà mạng không nhận số này). Hãy kiểm tra và sửa số rồi gửi lại.',
  '21610': 'Người nhận đã từ chối nhận tin nhắn (đã nhắn STOP).',
  '21614': 'Số này không phải số di động, không nhận được tin nhắn.',
  '21408': 'Chưa được phép gửi tin nhắn tới quốc gia/vùng của số này.',
  '21612': 'Không gửi được tới số này từ đầu số hiện tại.',
  '21617': 'Nội dung tin nhắn quá dài.',
  '21606': 'Đầu số gửi chưa được phép gửi tin nhắn.',
  '20003': 'Sai thông tin đăng nhập với nhà cung cấp SMS (cần bộ phận kỹ thuật kiểm tra).',
  // Twilio delivery reports (the carrier's answer after the message was accepted)
  '30003': 'Máy người nhận không liên lạc được (tắt máy hoặc ngoài vùng phủ sóng). Có thể gửi lại sau, hoặc sửa số nếu người nhận đã đổi số.',
  '30004': 'Người nhận đã chặn tin nhắn từ đầu số này.',
  '30005': 'Số điện thoại không tồn tại hoặc không còn hoạt động. Hãy kiểm tra và sửa số rồi gửi lại.',
  '30006': 'Số này là số cố định hoặc nhà mạng không nhận tin nhắn. Hãy sửa thành số di động rồi gửi lại.',
  '30007': 'Nhà mạng chặn tin này (bị coi là tin rác).',
  '30008': 'Nhà mạng không chuyển được tin (lỗi không rõ). Có thể gửi lại.',
  // eSMS-style brandname
  '119': 'Nội dung bị coi là quảng cáo hoặc gửi tới số cố định, nhà cung cấp từ chối.',
  '131': 'Nội dung bị coi là quảng cáo hoặc gửi tới số cố định, nhà cung cấp từ chối.',
  '132': 'Nội dung bị coi là quảng cáo hoặc gửi tới số cố định, nhà cung cấp từ chối.',
  '145': 'Nội dung tin không khớp mẫu đã đăng ký với nhà mạng.',
  '146': 'Nội dung tin không khớp mẫu đã đăng ký với nhà mạng.',
  '177': 'Tên thương hiệu (brandname) chưa gửi được tới nhà mạng của người nhận.',
  // SMTP
  '550': 'Địa chỉ email không tồn tại hoặc máy chủ thư từ chối. Hãy kiểm tra và sửa địa chỉ rồi gửi lại.',
  '551': 'Địa chỉ email không tồn tại trên máy chủ nhận.',
  '552': 'Hộp thư của người nhận đã đầy.',
  '553': 'Địa chỉ email không hợp lệ. Hãy kiểm tra và sửa địa chỉ rồi gửi lại.',
  '554': 'Máy chủ thư của người nhận từ chối thư.',
  'no-address': 'Người nhận không có địa chỉ email.',
  // Web push
  '404': 'Trình duyệt của người nhận đã hủy đăng ký nhận thông báo.',
  '410': 'Trình duyệt của người nhận đã hủy đăng ký nhận thông báo.',
  'invalid-subscription': 'Đăng ký nhận thông báo của trình duyệt không hợp lệ.',
};

/** The reason an office clerk can act on, in plain Vietnamese; undefined when nothing went wrong. */
export function plainReason(record: Pick<NotificationRecord, 'status' | 'attempts' | 'lastError' | 'reason'>): string | undefined {
  const code = record.lastError?.code;
  const known = code !== undefined ? BY_CODE[code] : undefined;
  switch (record.status) {
    case 'failed':
      return known ?? 'Nhà cung cấp từ chối tin này (lỗi không thể tự thử lại).';
    case 'dead':
      return `Nhà cung cấp lỗi tạm thời (mạng, quá tải) suốt ${record.attempts} lần thử; hệ thống đã ngừng thử.${known ? ` ${known}` : ''}`;
    case 'undelivered':
      return known ?? 'Nhà mạng báo không chuyển được tin tới máy người nhận (máy tắt, ngoài vùng phủ sóng hoặc số không còn dùng).';
    case 'retrying':
      return 'Lỗi tạm thời của nhà cung cấp; hệ thống sẽ tự thử lại.';
    case 'skipped':
      return record.reason ? `Không gửi: ${record.reason}` : 'Không gửi qua kênh này.';
    default:
      return undefined;
  }
}
