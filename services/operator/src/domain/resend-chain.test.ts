import { advanceHead, chainOf, latestContact, resendState, type ChainHead } from './resend-chain';

describe('resendState (what a chain\'s resends mean for one notification)', () => {
  it('when a notification has no resend, or is its chain\'s latest attempt, then its own state decides', () => {
    expect(resendState({ messageId: 'o', status: 'failed' }, undefined)).toEqual({ resendable: true, current: 'failed', reached: false });
    expect(resendState({ messageId: 'r1', status: 'failed' }, { messageId: 'r1', status: 'failed' })).toEqual({ resendable: true, current: 'failed', reached: false });
    expect(resendState({ messageId: 'o', status: 'delivered' }, undefined)).toEqual({ resendable: false, current: 'delivered', reached: true });
  });

  it('when a later resend replaced it, then that resend\'s state decides: on its way or through is not resendable, failed again is', () => {
    const original = { messageId: 'o', status: 'failed' as const };
    expect(resendState(original, { messageId: 'r1' })).toEqual({ resendable: false, resentAs: { messageId: 'r1' }, current: 'rendered', reached: false });
    expect(resendState(original, { messageId: 'r1', status: 'sending' })).toMatchObject({ resendable: false, current: 'sending', reached: false });
    expect(resendState(original, { messageId: 'r1', status: 'delivered' })).toEqual({ resendable: false, resentAs: { messageId: 'r1', status: 'delivered' }, current: 'delivered', reached: true });
    expect(resendState(original, { messageId: 'r1', status: 'failed' })).toMatchObject({ resendable: true, current: 'failed', reached: false });
  });

  it('when a notification is a resend, then its chain is its original\'s', () => {
    expect(chainOf({ messageId: 'r1', resendOf: 'o' })).toBe('o');
    expect(chainOf({ messageId: 'o' })).toBe('o');
  });
});

describe('latestContact', () => {
  it('when resends corrected the contact, then the next one goes where the latest went; a record naming its contact wins over corrections', () => {
    const original = { phone: '+84900000001', email: 'a@danang.gov.vn' };
    expect(latestContact(original, [])).toEqual(original);
    expect(latestContact(original, [{ corrections: { phone: { after: '+84905123456' } } }, {}])).toEqual({ phone: '+84905123456', email: 'a@danang.gov.vn' });
    expect(latestContact(original, [{ contact: { phone: '+84912000003' } }, { corrections: { email: { after: 'b@danang.gov.vn' } } }])).toEqual({ phone: '+84912000003', email: 'b@danang.gov.vn' });
  });
});

describe('advanceHead (one row per chain in the projection)', () => {
  it('when resends arrive in any order, then the latest is the head and every other attempt is superseded once', () => {
    const arrivals: ChainHead[] = [
      { messageId: 'r2', atMs: 2000 },
      { messageId: 'r1', atMs: 1000 },
      { messageId: 'r3', atMs: 3000 },
    ];
    let head: ChainHead | undefined;
    const superseded: string[] = [];
    for (const a of arrivals) {
      const next = advanceHead(head, 'o', a);
      head = next.head;
      superseded.push(next.superseded);
    }
    expect(head).toEqual({ messageId: 'r3', atMs: 3000 });
    expect(superseded.sort()).toEqual(['o', 'r1', 'r2']);
  });
});
