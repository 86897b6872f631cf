import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALLBACK_DELIVERY_STATES, callbackBatchSchema, INTERNAL_DELIVERY_STATES } from './callbacks';
import { CALLBACK_JSON_SCHEMAS_DIR, generateCallbackJsonSchemas } from './json-schema';
import { DELIVERY_STATES } from './messages';

describe('callback batch contract', () => {
  it('when regenerated in memory, then the committed callback JSON Schema is identical (otherwise run `npm run schemas`)', () => {
    for (const file of generateCallbackJsonSchemas()) expect(readFileSync(join(CALLBACK_JSON_SCHEMAS_DIR, file.fileName), 'utf8')).toBe(file.content);
  });

  it('when a state is not an internal step, then it reaches callbacks, whatever states the contracts add', () => {
    expect(CALLBACK_DELIVERY_STATES).toEqual(DELIVERY_STATES.filter((s) => !INTERNAL_DELIVERY_STATES.has(s)));
    expect(CALLBACK_DELIVERY_STATES).toEqual(expect.arrayContaining(['sent', 'delivered', 'failed', 'read']));
    expect(CALLBACK_DELIVERY_STATES).not.toContain('rendered');
  });

  it('when a batch of status items is parsed, then it passes; an unknown type or an empty batch does not', () => {
    const batch = { version: 1, id: 'cb-1', key: 'he-thong-hop', sentAt: '2026-12-02T01:00:00Z', type: 'notification.status', events: [{ messageId: 'm-1', eventId: 'e-1', channel: 'sms', recipientId: 'nguyen-van-an', status: 'delivered', at: '2026-12-02T01:00:00Z' }] };
    expect(callbackBatchSchema.safeParse(batch).success).toBe(true);
    expect(callbackBatchSchema.safeParse({ ...batch, type: 'other' }).success).toBe(false);
    expect(callbackBatchSchema.safeParse({ ...batch, events: [] }).success).toBe(false);
  });
});
