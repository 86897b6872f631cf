import type { InlinePerson } from '@gateway/contracts';
import { createMemoryDirectoryStore } from './memory-store';
import type { DirectoryGroup, DirectoryPerson } from './model';
import { resolveRecipients, UNRESOLVED_REASONS } from './resolve';
import type { DirectoryReader, DirectoryStore } from './store';

function person(id: string, extra: Partial<DirectoryPerson> = {}): DirectoryPerson {
  return { id, name: `Người ${id}`, phone: '+84905123456', email: `${id}@danang.gov.vn`, userId: `u-${id}`, ...extra };
}

function group(id: string, members: string[], groups: string[] = []): DirectoryGroup {
  return { id, name: `Nhóm ${id}`, members, groups };
}

async function directory(people: DirectoryPerson[], groups: DirectoryGroup[]): Promise<DirectoryStore> {
  const store = createMemoryDirectoryStore();
  await store.upsertPeople(people);
  for (const g of groups) await store.upsertGroup(g);
  return store;
}

/** Counts store calls, to show resolution loads a level of nesting per call. */
function counting(store: DirectoryReader): { reader: DirectoryReader; calls: { people: number; groups: number } } {
  const calls = { people: 0, groups: 0 };
  return {
    calls,
    reader: {
      getPeople: (ids) => {
        calls.people++;
        return store.getPeople(ids);
      },
      getGroupsMembers: (ids) => {
        calls.groups++;
        return store.getGroupsMembers(ids);
      },
    },
  };
}

describe('resolveRecipients', () => {
  it('when the same person is in two groups, then they are resolved once, at their first position', async () => {
    const store = await directory([person('a'), person('b'), person('c'), person('d')], [group('g1', ['a', 'b']), group('g2', ['c', 'b', 'd'])]);
    const { people, unresolved } = await resolveRecipients(['group:g1', 'group:g2'], store);
    expect(people.map((p) => [p.id, p.via])).toEqual([
      ['a', 'group:g1'],
      ['b', 'group:g1'],
      ['c', 'group:g2'],
      ['d', 'group:g2'],
    ]);
    expect(unresolved).toEqual([]);
  });

  it('when groups nest in a cycle, then every member comes once, own members before nested ones, and it terminates', async () => {
    const store = await directory(
      [person('a'), person('b'), person('c'), person('d')],
      [group('all', ['a'], ['wards', 'communes']), group('wards', ['b'], ['communes']), group('communes', ['c', 'a'], ['all', 'wards']), group('extra', ['d'], ['all'])],
    );
    const { reader, calls } = counting(store);
    const { people, unresolved } = await resolveRecipients(['group:extra', 'group:all'], reader);
    expect(people.map((p) => p.id)).toEqual(['d', 'a', 'b', 'c']);
    expect(people.every((p) => p.via === 'group:extra')).toBe(true);
    expect(unresolved).toEqual([]);
    // Level 0 is extra and all (both named or reached at once), level 1 wards and communes.
    expect(calls).toEqual({ groups: 2, people: 1 });
  });

  it('when an inline person has the id of a directory person, then the event fields win and the directory fills in the rest', async () => {
    const store = await directory([person('le-minh-tuan', { title: 'Bí thư (cũ)', unit: 'Đảng ủy phường Hải Châu', channels: ['email'] })], [group('bi-thu', ['le-minh-tuan'])]);
    const inline: InlinePerson = { id: 'le-minh-tuan', name: 'Lê Minh Tuấn', title: 'Bí thư Đảng ủy phường Hải Châu', phone: '+84983214567' };
    const { people } = await resolveRecipients(['group:bi-thu', inline, 'person:le-minh-tuan'], store);
    expect(people).toEqual([
      {
        id: 'le-minh-tuan',
        name: 'Lê Minh Tuấn',
        title: 'Bí thư Đảng ủy phường Hải Châu',
        unit: 'Đảng ủy phường Hải Châu',
        phone: '+84983214567',
        email: 'le-minh-tuan@danang.gov.vn',
        userId: 'u-le-minh-tuan',
        channels: ['email'],
        via: 'group:bi-thu',
        source: 'inline+directory',
      },
    ]);
  });

  it('when an inline person gives channels, then those replace the directory preferences', async () => {
    const store = await directory([person('x', { channels: ['email'] })], []);
    const { people } = await resolveRecipients([{ id: 'x', name: 'X', channels: ['sms', 'inapp'] }], store);
    expect(people[0]?.channels).toEqual(['sms', 'inapp']);
  });

  it('when an inline person is not in the directory, then it is used as given', async () => {
    const store = await directory([], []);
    const inline: InlinePerson = { id: 'pham-thi-lan', name: 'Phạm Thị Lan', phone: '+84362345678' };
    const { people, unresolved } = await resolveRecipients([inline, inline], store);
    expect(people).toEqual([{ ...inline, via: 'inline', source: 'inline' }]);
    expect(unresolved).toEqual([]);
  });

  it('when the directory marks an inline person inactive, then the event still reaches them (the source named them)', async () => {
    const store = await directory([person('x', { active: false })], []);
    const { people } = await resolveRecipients([{ id: 'x', name: 'X' }], store);
    expect(people.map((p) => [p.id, p.source])).toEqual([['x', 'inline+directory']]);
    expect(people[0]).not.toHaveProperty('active');
  });

  it('when a directory person is inactive, then they are skipped, and reported only when named directly', async () => {
    const store = await directory([person('a'), person('retired', { active: false }), person('moved', { active: false })], [group('g', ['a', 'retired'])]);
    const { people, unresolved } = await resolveRecipients(['group:g', 'person:moved'], store);
    expect(people.map((p) => p.id)).toEqual(['a']);
    expect(unresolved).toEqual([{ ref: 'person:moved', reason: UNRESOLVED_REASONS.personInactive }]);
  });

  it('when references point at nothing, then each is reported with its reason and the rest is still resolved', async () => {
    const store = await directory([person('a')], [group('g', ['a', 'ghost'], ['gone'])]);
    const { people, unresolved } = await resolveRecipients(['person:nobody', 'group:missing', 'group:g', 'person:nobody'], store);
    expect(people.map((p) => p.id)).toEqual(['a']);
    expect(unresolved).toEqual([
      { ref: 'group:missing', reason: UNRESOLVED_REASONS.groupMissing },
      { ref: 'group:gone', reason: expect.stringContaining('nested in group:g') as string },
      { ref: 'person:nobody', reason: UNRESOLVED_REASONS.personMissing },
      { ref: 'person:ghost', reason: expect.stringContaining('member of group:g') as string },
    ]);
  });

  it('when a string is not a reference, then it is reported, not thrown', async () => {
    const { unresolved } = await resolveRecipients(['nguyen-van-an'], await directory([], []));
    expect(unresolved).toEqual([{ ref: 'nguyen-van-an', reason: UNRESOLVED_REASONS.notARef }]);
  });

  it('when groups nest deeper than the limit, then the members within reach are resolved and the deeper group is reported', async () => {
    const chain = Array.from({ length: 5 }, (_, i) => group(`l${i}`, [`p${i}`], i < 4 ? [`l${i + 1}`] : []));
    const store = await directory(chain.map((g, i) => person(`p${i}`)), chain);
    const { people, unresolved } = await resolveRecipients(['group:l0'], store, { maxDepth: 2 });
    expect(people.map((p) => p.id)).toEqual(['p0', 'p1', 'p2']);
    expect(unresolved).toEqual([{ ref: 'group:l3', reason: expect.stringContaining('more than 2 levels') as string }]);
  });

  it('when there are no recipients, then the result is empty without reading people', async () => {
    const { reader, calls } = counting(await directory([], []));
    expect(await resolveRecipients([], reader)).toEqual({ people: [], unresolved: [] });
    expect(calls.groups).toBe(0);
  });
});
