import { z } from 'zod';
import { parseContract, parseEvent } from './parse';
import { isRecipientRef, MAX_RECIPIENTS, parseRecipientRef, recipientSchema, recipientsSchema } from './recipients';
import { example } from '../../test/support';

describe('recipients', () => {
  it.each([
    ['person:nguyen-van-an', { kind: 'person', id: 'nguyen-van-an' }],
    ['group:dang-uy-phuong-xa', { kind: 'group', id: 'dang-uy-phuong-xa' }],
    ['group:bch.2025_2030', { kind: 'group', id: 'bch.2025_2030' }],
  ])('when the reference %s is read, then it names a %o', (ref, parsed) => {
    expect(recipientSchema.parse(ref)).toBe(ref);
    expect(parseRecipientRef(ref)).toEqual(parsed);
  });

  it.each(['person:', 'group:Nguyen', 'user:abc', 'person:-abc', 'person:an van', 'nguyen-van-an', 'PERSON:abc'])(
    'when the reference is "%s", then it is refused',
    (ref) => {
      expect(recipientSchema.safeParse(ref).success).toBe(false);
      expect(parseRecipientRef(ref)).toBeUndefined();
    },
  );

  it('when an inline person is given, then it is kept as an object', () => {
    const person = { id: 'tran-thi-thu-ha', name: 'Trần Thị Thu Hà', phone: '0913 456 789', channels: ['sms', 'email'] };
    const parsed = recipientSchema.parse(person);
    expect(parsed).toEqual({ ...person, phone: '+84913456789' });
    expect(isRecipientRef(parsed)).toBe(false);
  });

  it('when channels repeat or are unknown, then the channels field is reported', () => {
    expect(parseContract(recipientSchema, { id: 'a', name: 'A', channels: ['sms', 'sms'] })).toEqual({
      ok: false,
      issues: [{ path: 'channels', message: 'must not list a channel twice' }],
    });
    expect(parseContract(recipientSchema, { id: 'a', name: 'A', channels: ['zalo'] })).toEqual({
      ok: false,
      issues: [{ path: 'channels[0]', message: 'must be one of sms, email, push, inapp' }],
    });
  });

  it('when an inline person has no name and an uppercase id, then both are reported', () => {
    const result = parseContract(recipientSchema, { id: 'NV001' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['id', 'name']);
  });

  it('when an entry is neither a string nor an object, then it says which shapes are accepted', () => {
    expect(parseContract(z.array(recipientSchema), [42])).toEqual({
      ok: false,
      issues: [
        { path: '[0]', message: 'must be an inline person object or a reference string like person:<id> or group:<id>' },
      ],
    });
  });

  it('when there are exactly 20,000 recipients, then they are accepted; one more is refused', () => {
    const refs = Array.from({ length: MAX_RECIPIENTS }, (_, i) => `person:can-bo-${i}`);
    expect(recipientsSchema.safeParse(refs).success).toBe(true);
    expect(parseContract(recipientsSchema, [...refs, 'group:extra'])).toEqual({
      ok: false,
      issues: [{ path: '(root)', message: 'must have at most 20000 entries' }],
    });
  });

  it('when a whole event has 20,000 inline people with phones, then it parses', () => {
    const { event, data } = example('meeting-scheduled-hoi-nghi-bch');
    data.participants = Array.from({ length: MAX_RECIPIENTS }, (_, i) => ({
      id: `can-bo-${i}`,
      name: `Cán bộ ${i}`,
      phone: `+8490${String(5000000 + i).padStart(7, '0')}`,
      email: `canbo${i}@danang.gov.vn`,
    }));
    const result = parseEvent(event);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});
