import { markShortenable, markWhole, type ShortenTier } from '../../domain';
import type { DocumentView, EventView, MeetingView, SecretDocumentView } from './view-model';

/**
 * The view the SMS templates see: the same as every channel's, with each free-text field marked
 * as shortenable, so that when the required parts are still over the segment cap the policy
 * cuts a 300-character title or a page-long place instead of dropping the SMS. Tier 2 (the
 * title and the place: what and where) is cut only after tier 1 (who chairs, who issued, why).
 * Numbers, times and links are marked to be kept whole: a cut date or link is worse than none,
 * so even the policy's last resort cuts around them.
 */

function mark<T extends string | null>(text: T, tier: ShortenTier): T {
  return (text === null ? null : markShortenable(text, tier)) as T;
}

function whole<T extends string | null>(text: T): T {
  return (text === null ? null : markWhole(text)) as T;
}

function meeting(view: MeetingView): MeetingView {
  return {
    ...view,
    number: whole(view.number),
    time: whole(view.time),
    startText: whole(view.startText),
    date: whole(view.date),
    startTime: whole(view.startTime),
    onlineLink: whole(view.onlineLink),
    title: mark(view.title, 2),
    location: mark(view.location, 2),
    organizerUnit: mark(view.organizerUnit, 1),
    issuingBody: mark(view.issuingBody, 1),
    chair: mark(view.chair, 1),
    signer: mark(view.signer, 1),
    agendaText: mark(view.agendaText, 1),
    reason: mark(view.reason, 1),
    previous: {
      ...view.previous,
      time: whole(view.previous.time),
      location: mark(view.previous.location, 1),
      onlineLink: whole(view.previous.onlineLink),
    },
  };
}

function document(view: DocumentView): DocumentView {
  return {
    ...view,
    number: whole(view.number),
    issueDate: whole(view.issueDate),
    arrivalNumber: whole(view.arrivalNumber),
    arrivalDate: whole(view.arrivalDate),
    deadline: whole(view.deadline),
    link: whole(view.link),
    summary: mark(view.summary, 1),
    summaryLine: mark(view.summaryLine, 1),
    issuingBody: mark(view.issuingBody, 1),
    reason: mark(view.reason, 1),
    handlers: view.handlers.map((h) => mark(h, 1)),
  };
}

function secretDocument(view: SecretDocumentView): SecretDocumentView {
  return { ...view, number: whole(view.number), link: whole(view.link) };
}

export function smsView(view: EventView): EventView {
  const link = whole(view.link);
  switch (view.kind) {
    case 'meeting':
      return { ...view, link, meeting: meeting(view.meeting) };
    case 'document':
      return { ...view, link, document: document(view.document) };
    case 'secret-document':
      return { ...view, link, document: secretDocument(view.document) };
  }
}
