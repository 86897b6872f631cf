import type { SubjectKey, SubjectVersions } from '../src';

/** The rules every SubjectVersions adapter keeps; `scope` gives a fresh, empty store. */
export function describeSubjectVersionsConformance(name: string, scope: () => SubjectVersions): void {
  describe(`subject versions (${name})`, () => {
    const meeting: SubjectKey = { kind: 'meeting', source: 'vpthanhuy', id: 'H-2025-001' };

    it('when nothing was recorded, then nothing is known', async () => {
      expect(await scope().latest(meeting)).toBeUndefined();
    });

    it('when a meeting is raised to 2 and then (a replayed older event) to 1, then its latest version stays 2', async () => {
      const store = scope();
      await store.raise(meeting, 0);
      await store.raise(meeting, 2);
      await store.raise(meeting, 1);
      expect(await store.latest(meeting)).toEqual({ version: 2 });
    });

    it('when two senders use one meeting id, or a document shares it, then each has its own latest', async () => {
      const store = scope();
      await store.raise(meeting, 3);
      await store.raise({ ...meeting, source: 'bantochuc' }, 1);
      await store.setRecalled({ ...meeting, kind: 'document' }, true);
      expect(await store.latest({ ...meeting, source: 'bantochuc' })).toEqual({ version: 1 });
      expect(await store.latest({ ...meeting, kind: 'document' })).toEqual({ recalled: true });
      expect(await store.latest(meeting)).toEqual({ version: 3 });
    });

    it('when a document is recalled and then dispatched again under its id, then it reads recalled and then not', async () => {
      const store = scope();
      const document: SubjectKey = { kind: 'document', source: 'vpthanhuy', id: '125-CV-TU' };
      await store.setRecalled(document, true);
      expect(await store.latest(document)).toEqual({ recalled: true });
      await store.setRecalled(document, false);
      expect(await store.latest(document)).toEqual({ recalled: false });
    });

    it('when a version is not a non-negative integer, then it is refused', async () => {
      await expect(scope().raise(meeting, -1)).rejects.toThrow(RangeError);
      await expect(scope().raise(meeting, 1.5)).rejects.toThrow(RangeError);
    });
  });
}
