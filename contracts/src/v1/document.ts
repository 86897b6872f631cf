import { z } from 'zod';
import { DIRECTIONS, isClassified, secrecyInputSchema, urgencyInputSchema, type Secrecy } from './classification';
import { dateOrDateTimeSchema, dateSchema, idSchema, nonBlankText, urlSchema, whenPresent } from './primitives';
import { recipientsSchema } from './recipients';

/**
 * The content of a classified document (mật and above) never leaves the document system through
 * us: no channel may carry it, so the gateway neither needs it nor keeps it. These fields are
 * required for ordinary documents and optional for classified ones; the intake removes them
 * from a classified document before it is stored (WITHHELD_WHEN_CLASSIFIED below).
 */
const CLASSIFIED_NOTE = ' Optional for mật and above, and not stored: the intake removes it before the event reaches Kafka.';

const summary = nonBlankText(2000).meta({
  title: 'Trích yếu / Summary',
  description:
    'Trích yếu nội dung văn bản. Required for dispatches. Never sent by SMS, email or push when the document is mật or above; only a notice and the link are.' +
    CLASSIFIED_NOTE,
  examples: ['V/v triển khai thực hiện Nghị quyết Hội nghị lần thứ 3 Ban Chấp hành Đảng bộ thành phố'],
});

const documentFields = {
  documentId: idSchema.meta({
    title: 'Mã văn bản / Document id',
    description: 'Stable id of the document in the document system; the same for dispatch and recall.',
  }),
  number: nonBlankText(100).meta({
    title: 'Số ký hiệu / Document number',
    examples: ['125-CV/TU', '36-HD/VPTW'],
  }),
  summary: summary.optional(),
  issuingBody: nonBlankText(300)
    .optional()
    .meta({ title: 'Cơ quan ban hành / Issuing body', description: `Required.${CLASSIFIED_NOTE}`, examples: ['Ban Tổ chức Thành ủy'] }),
  issueDate: dateSchema.optional().meta({ title: 'Ngày ban hành / Issue date', description: `Required.${CLASSIFIED_NOTE}`, examples: ['2025-09-25'] }),
  direction: z
    .enum(DIRECTIONS, { error: whenPresent('must be den (văn bản đến, incoming) or di (văn bản đi, outgoing)') })
    .default('den')
    .meta({ title: 'Văn bản đến/đi / Direction', description: 'den: văn bản đến (incoming); di: văn bản đi (outgoing).' }),
  arrivalNumber: nonBlankText(50).optional().meta({ title: 'Số đến / Arrival number', examples: ['1532'] }),
  arrivalDate: dateSchema.optional().meta({ title: 'Ngày đến / Arrival date', examples: ['2025-09-26'] }),
  /**
   * No default for secrecy: a source that forgets it on a mật document must be refused, not have
   * the summary texted out as if the document were ordinary.
   */
  urgency: urgencyInputSchema.prefault('thuong'),
  secrecy: secrecyInputSchema,
  deadline: dateOrDateTimeSchema.optional().meta({
    title: 'Hạn xử lý / Processing deadline',
    description: 'A day (YYYY-MM-DD) or an exact time with UTC offset.',
    examples: ['2025-10-03', '2025-10-03T17:00:00+07:00'],
  }),
  link: urlSchema.meta({
    title: 'Đường dẫn văn bản / Document link',
    description: 'Link into the document system; the only content sent for mật and above.',
  }),
  handlers: z
    .array(nonBlankText(300))
    .min(1)
    .max(100)
    .optional()
    .meta({
      title: 'Người/đơn vị xử lý / Handlers',
      description: 'Who handles the document, as display text, e.g. "Ban Tổ chức Thành ủy (chủ trì)".',
    }),
  recipients: recipientsSchema.meta({
    title: 'Người nhận / Recipients',
    description: 'Inline people or person:/group: references; 1 to 20,000 entries.',
  }),
};

/** What a classified document's notice never shows; see view-model.ts's SecretDocumentView. */
export const WITHHELD_WHEN_CLASSIFIED = [
  'summary',
  'issuingBody',
  'issueDate',
  'arrivalNumber',
  'arrivalDate',
  'deadline',
  'handlers',
  'reason',
] as const;

function requiredUnlessClassified(fields: readonly string[]) {
  return (data: { secrecy: Secrecy } & Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (isClassified(data.secrecy)) return;
    for (const field of fields) {
      if (data[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'required' });
    }
  };
}

export const documentDispatchedDataSchema = z
  .strictObject(documentFields)
  .superRefine(requiredUnlessClassified(['summary', 'issuingBody', 'issueDate']))
  .meta({ title: 'Thông báo văn bản / Document dispatched' });

export const documentRecalledDataSchema = z
  .strictObject({
    ...documentFields,
    reason: nonBlankText(1000)
      .optional()
      .meta({ title: 'Lý do thu hồi / Recall reason', description: `Required.${CLASSIFIED_NOTE}` }),
  })
  .superRefine(requiredUnlessClassified(['issuingBody', 'issueDate', 'reason']))
  .meta({ title: 'Thu hồi văn bản / Document recalled' });
