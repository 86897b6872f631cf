import { z } from 'zod';
import { channelSchema } from './classification';
import { phoneSchema } from './phone';
import { emailSchema, idSchema, REF_ID_PATTERN, refIdSchema, nonBlankText, whenPresent } from './primitives';

/** One conference invitation can reach every cadre of a city; beyond this a source should split. */
export const MAX_RECIPIENTS = 20_000;

const REF_PATTERN = new RegExp(`^(person|group):${REF_ID_PATTERN.source.slice(1)}`);

const recipientRefSchema = z
  .string()
  .max(140)
  .regex(REF_PATTERN, { error: 'must be a reference like person:<id> or group:<id>, ids in a-z, 0-9, ".", "_", "-"' })
  .meta({
    title: 'Tham chiếu người nhận / Recipient reference',
    description:
      'person:<id> (một người) hoặc group:<id> (một nhóm, ví dụ tất cả đảng ủy phường, xã); resolved later by the templating service.',
    examples: ['person:nguyen-van-an', 'group:dang-uy-phuong-xa'],
  });

export const inlinePersonSchema = z
  .strictObject({
    id: refIdSchema.meta({ title: 'Mã người nhận / Person id' }),
    name: nonBlankText(200).meta({ title: 'Họ và tên / Full name', examples: ['Nguyễn Văn An'] }),
    title: nonBlankText(200).optional().meta({ title: 'Chức vụ / Position', examples: ['Phó Bí thư Thành ủy'] }),
    unit: nonBlankText(300).optional().meta({ title: 'Đơn vị / Unit', examples: ['Văn phòng Thành ủy'] }),
    phone: phoneSchema.optional(),
    email: emailSchema.optional().meta({ title: 'Email công vụ / Official email' }),
    userId: idSchema.optional().meta({
      title: 'Tài khoản ứng dụng / App user id',
      description: 'Account in the agency web app; needed for push and the in-app inbox.',
    }),
    channels: z
      .array(channelSchema)
      .min(1)
      .max(4)
      .refine((channels) => new Set(channels).size === channels.length, { error: 'must not list a channel twice' })
      .optional()
      .meta({
        title: 'Kênh nhận / Channels',
        description: 'Restricts delivery to these channels; absent means every channel the person can be reached on.',
      }),
  })
  .meta({ title: 'Người nhận / Inline person' });

export const recipientSchema = z.union([recipientRefSchema, inlinePersonSchema], {
  error: whenPresent('must be an inline person object or a reference string like person:<id> or group:<id>'),
});

export const recipientsSchema = z.array(recipientSchema).min(1).max(MAX_RECIPIENTS);

export type InlinePerson = z.output<typeof inlinePersonSchema>;
export type RecipientRef = z.output<typeof recipientRefSchema>;
export type Recipient = z.output<typeof recipientSchema>;

export type ParsedRecipientRef = { kind: 'person' | 'group'; id: string };

export function parseRecipientRef(ref: string): ParsedRecipientRef | undefined {
  const match = REF_PATTERN.exec(ref);
  if (match === null || ref.length > 140) return undefined;
  const colon = ref.indexOf(':');
  return { kind: match[1] === 'group' ? 'group' : 'person', id: ref.slice(colon + 1) };
}

export function isRecipientRef(recipient: Recipient): recipient is RecipientRef {
  return typeof recipient === 'string';
}
