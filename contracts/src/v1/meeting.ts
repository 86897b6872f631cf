import { z } from 'zod';
import { urgencyInputSchema } from './classification';
import { dateTimeSchema, DATE_TIME_MESSAGE, idSchema, nonBlankText, urlSchema, whenPresent } from './primitives';
import { recipientsSchema } from './recipients';

const start = dateTimeSchema.meta({
  title: 'Thời gian bắt đầu / Start',
  description: `Thời gian bắt đầu, có múi giờ. Start time; ${DATE_TIME_MESSAGE}.`,
  examples: ['2025-09-29T08:00:00+07:00'],
});
const end = dateTimeSchema.meta({
  title: 'Thời gian kết thúc / End',
  description: `Thời gian kết thúc, sau thời gian bắt đầu. End time, after start; ${DATE_TIME_MESSAGE}.`,
  examples: ['2025-09-29T11:30:00+07:00'],
});
const location = nonBlankText(500).meta({
  title: 'Địa điểm / Location',
  description: 'Địa điểm họp. Physical place; give it, onlineLink, or both.',
  examples: ['Hội trường Thành ủy, 08 Bạch Đằng, phường Hải Châu'],
});
const onlineLink = urlSchema.meta({
  title: 'Đường dẫn họp trực tuyến / Online link',
  description: 'Link to join online; give it, location, or both.',
  examples: ['https://hop.danang.gov.vn/phong/bch-thanh-uy'],
});

const agenda = z
  .union([nonBlankText(5000), z.array(nonBlankText(2000)).min(1).max(100)], { error: whenPresent('must be a string or an array of strings') })
  .meta({ title: 'Nội dung, chương trình / Agenda', description: 'One text, or one item per agenda point.' });

const attachment = z.strictObject({
  title: nonBlankText(500).meta({ title: 'Tên tài liệu / Document title' }),
  url: urlSchema.meta({ title: 'Đường dẫn / Link' }),
});

const meetingFields = {
  meetingId: idSchema.meta({
    title: 'Mã cuộc họp / Meeting id',
    description:
      'Stable id of the meeting in the source system; the same for its scheduling, updates and cancellation.',
  }),
  number: nonBlankText(100)
    .optional()
    .meta({ title: 'Số ký hiệu giấy mời / Invitation number', examples: ['512-GM/TU'] }),
  title: nonBlankText(1000).meta({
    title: 'Nội dung cuộc họp / Meeting title',
    examples: ['Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3'],
  }),
  organizerUnit: nonBlankText(300).meta({ title: 'Đơn vị tổ chức / Organizing unit', examples: ['Văn phòng Thành ủy'] }),
  issuingBody: nonBlankText(300).optional().meta({ title: 'Cơ quan ban hành / Issuing body', examples: ['Thành ủy Đà Nẵng'] }),
  chair: nonBlankText(300).meta({
    title: 'Chủ trì / Chair',
    examples: ['Đồng chí Bí thư Thành ủy'],
  }),
  signer: nonBlankText(300).optional().meta({ title: 'Người ký / Signer' }),
  start,
  end,
  location: location.optional(),
  onlineLink: onlineLink.optional(),
  agenda: agenda.optional(),
  attachments: z
    .array(attachment)
    .max(100)
    .optional()
    .meta({ title: 'Tài liệu / Attachments', description: 'Links to the meeting documents.' }),
  participants: recipientsSchema.meta({
    title: 'Thành phần / Participants',
    description: 'Người được mời: inline people or person:/group: references; 1 to 20,000 entries.',
  }),
  confirmationRequired: z
    .boolean()
    .default(false)
    .meta({ title: 'Yêu cầu xác nhận tham dự / Attendance confirmation required' }),
  urgency: urgencyInputSchema.prefault('thuong'),
};

const reason = nonBlankText(1000).meta({
  title: 'Lý do / Reason',
  description: 'Lý do thay đổi hoặc hủy. Why the meeting changed or was cancelled; shown to recipients.',
});

const previous = z
  .strictObject({
    start: start.optional(),
    end: end.optional(),
    location: location.optional(),
    onlineLink: onlineLink.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { error: 'must contain at least one of start, end, location, onlineLink' })
  .meta({
    title: 'Thông tin trước khi thay đổi / Previous values',
    description: 'Time and place before this change, so recipients can see old and new side by side.',
  });

type MeetingTimes = { start?: unknown; end?: unknown; location?: unknown; onlineLink?: unknown };

const hasIssueAt = (issues: readonly { path?: PropertyKey[] }[], keys: readonly string[]) =>
  issues.some((issue) => typeof issue.path?.[0] === 'string' && keys.includes(issue.path[0]));

/**
 * Cross-field rules run even when unrelated fields are invalid, so a source sees every problem
 * at once; each rule is skipped only when its own fields already failed, to avoid double reports.
 */
function withMeetingRules<T extends z.ZodType<MeetingTimes>>(schema: T) {
  return schema
    .superRefine(
      (meeting, ctx) => {
        if (typeof meeting.start !== 'string' || typeof meeting.end !== 'string') return;
        if (Date.parse(meeting.end) <= Date.parse(meeting.start)) {
          ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start', input: meeting.end });
        }
      },
      { when: (payload) => !hasIssueAt(payload.issues, ['start', 'end']) },
    )
    .superRefine(
      (meeting, ctx) => {
        if (meeting.location === undefined && meeting.onlineLink === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['location'],
            message: 'required when there is no onlineLink: give a location, an onlineLink, or both',
            input: undefined,
          });
        }
      },
      { when: (payload) => !hasIssueAt(payload.issues, ['location', 'onlineLink']) },
    );
}

export const meetingScheduledDataSchema = withMeetingRules(z.strictObject(meetingFields)).meta({
  title: 'Giấy mời họp / Meeting invitation',
});

export const meetingUpdatedDataSchema = withMeetingRules(
  z.strictObject({ ...meetingFields, reason, previous: previous.optional() }),
).meta({ title: 'Thay đổi cuộc họp / Meeting change' });

export const meetingCancelledDataSchema = withMeetingRules(z.strictObject({ ...meetingFields, reason })).meta({
  title: 'Hủy cuộc họp / Meeting cancellation',
});
