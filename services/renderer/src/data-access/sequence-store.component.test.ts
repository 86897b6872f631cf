import { Redis } from 'ioredis';
import { redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { createMemorySequenceStore, createRedisSequenceStore, type SequenceStore } from './sequence-store';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await redis.quit();
});

const A = 'vpthanhuy-lichhop';
const B = 'ubnd-lichhop';

/** The same behaviour from both adapters. */
describe.each([
  ['memory', async (): Promise<SequenceStore> => createMemorySequenceStore()],
  ['redis', async (): Promise<SequenceStore> => createRedisSequenceStore(redis, { prefix: `${uniqueName('seq')}:` })],
])('meeting sequences (%s)', (_name, make) => {
  it('when two senders both have a meeting "H-2025-001", then each has its own SEQUENCE, the first keeps the plain UID, and replays repeat their numbers', async () => {
    const store = await make();
    expect(await store.sequenceFor({ sender: A, meetingId: 'H-2025-001' }, 'a-1')).toEqual({ sequence: 0, first: true });
    expect(await store.sequenceFor({ sender: B, meetingId: 'H-2025-001' }, 'b-1')).toEqual({ sequence: 0, first: false });
    expect(await store.sequenceFor({ sender: A, meetingId: 'H-2025-001' }, 'a-2')).toEqual({ sequence: 1, first: true });
    expect(await store.sequenceFor({ sender: B, meetingId: 'H-2025-001' }, 'b-2')).toEqual({ sequence: 1, first: false });
    // The same event id from the other sender is another event.
    expect(await store.sequenceFor({ sender: B, meetingId: 'H-2025-001' }, 'a-2')).toEqual({ sequence: 2, first: false });
    // A replay after a crash gives the numbers it gave before.
    expect(await store.sequenceFor({ sender: A, meetingId: 'H-2025-001' }, 'a-1')).toEqual({ sequence: 0, first: true });
    expect(await store.sequenceFor({ sender: B, meetingId: 'H-2025-001' }, 'b-2')).toEqual({ sequence: 1, first: false });
  });
});

describe('meeting sequences kept from before senders were told apart (redis)', () => {
  it('when a meeting was scheduled before the upgrade and is updated after it, then its sender keeps the plain UID and the SEQUENCE goes on from where it was', async () => {
    const prefix = `${uniqueName('seq-upgrade')}:`;
    // What the renderer wrote before: the meeting id's counter, with no sender in it.
    await redis.hset(`${prefix}ics-seq:H-2025-001`, '#next', '2', 'lich-1', '0', 'lich-2', '1');
    const store = createRedisSequenceStore(redis, { prefix });
    expect(await store.sequenceFor({ sender: A, meetingId: 'H-2025-001' }, 'lich-2')).toEqual({ sequence: 1, first: true });
    expect(await store.sequenceFor({ sender: A, meetingId: 'H-2025-001' }, 'lich-3')).toEqual({ sequence: 2, first: true });
    expect(await store.sequenceFor({ sender: B, meetingId: 'H-2025-001' }, 'khac-1')).toEqual({ sequence: 0, first: false });
    expect(await redis.pttl(`${prefix}ics-seq:${B}/H-2025-001`)).toBeGreaterThan(0);
  });
});
