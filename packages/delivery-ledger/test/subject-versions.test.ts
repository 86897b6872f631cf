import type { SubjectRef } from '@gateway/contracts';
import { createMemorySubjectVersions, SUPERSEDED_REASON, supersededReason } from '../src';
import { describeSubjectVersionsConformance } from './subject-versions-conformance';

describeSubjectVersionsConformance('memory', () => createMemorySubjectVersions());

describe('supersededReason', () => {
  const meeting = (version?: number): SubjectRef => ({ kind: 'meeting', source: 'vpthanhuy', id: 'H-1', ...(version !== undefined ? { version } : {}) });
  const document: SubjectRef = { kind: 'document', source: 'vpthanhuy', id: 'D-1' };

  it('when a meeting message is for an older SEQUENCE than the latest, then it is superseded with the Vietnamese reason', () => {
    expect(supersededReason({ eventType: 'meeting.scheduled', about: meeting(0) }, { version: 1 })).toBe(SUPERSEDED_REASON.meeting);
    expect(SUPERSEDED_REASON.meeting).toBe('Đã có thông báo mới hơn cho cuộc họp này');
  });

  it('when a meeting message is for the latest SEQUENCE (or a newer one than recorded), then it goes', () => {
    expect(supersededReason({ eventType: 'meeting.updated', about: meeting(1) }, { version: 1 })).toBeUndefined();
    expect(supersededReason({ eventType: 'meeting.updated', about: meeting(2) }, { version: 1 })).toBeUndefined();
  });

  it('when the message has no subject or no version, or nothing is known of the meeting, then it goes', () => {
    expect(supersededReason({ eventType: 'meeting.scheduled' }, { version: 5 })).toBeUndefined();
    expect(supersededReason({ eventType: 'meeting.scheduled', about: meeting() }, { version: 5 })).toBeUndefined();
    expect(supersededReason({ eventType: 'meeting.scheduled', about: meeting(0) }, undefined)).toBeUndefined();
    expect(supersededReason({ eventType: 'meeting.scheduled', about: meeting(0) }, { recalled: true })).toBeUndefined();
  });

  it('when an operator resends a message of an older version, then it goes: the operator asked for it', () => {
    expect(supersededReason({ eventType: 'meeting.scheduled', about: meeting(0), resendOf: 'm-original' }, { version: 1 })).toBeUndefined();
    expect(supersededReason({ eventType: 'document.dispatched', about: document, resendOf: 'm-original' }, { recalled: true })).toBeUndefined();
  });

  it('when a document was recalled, then its alert is superseded and the recall notice itself goes', () => {
    expect(supersededReason({ eventType: 'document.dispatched', about: document }, { recalled: true })).toBe('Văn bản đã bị thu hồi');
    expect(supersededReason({ eventType: 'document.recalled', about: document }, { recalled: true })).toBeUndefined();
  });

  it('when a document is not (or no longer) recalled, then its alert goes', () => {
    expect(supersededReason({ eventType: 'document.dispatched', about: document }, { recalled: false })).toBeUndefined();
    expect(supersededReason({ eventType: 'document.dispatched', about: document }, {})).toBeUndefined();
  });
});
