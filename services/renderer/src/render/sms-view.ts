import { markShortenable, type ShortenTier } from '../domain';
import type { DocumentView, EventView, MeetingView } from './view-model';

/**
 * The view the SMS templates see: the same as every channel's, with each free-text field marked
 * as shortenable, so that when the required parts are still over the segment cap the policy
 * cuts a 300-character title or a page-long place instead of dropping the SMS. Tier 2 (the
 * title and the place: what and where) is cut only after tier 1 (who chairs, who issued, why).
 * Numbers, times and links are left whole: a cut date or link is worse than none.
 */

function mark<T extends string | null>(text: T, tier: ShortenTier): T {
  return (text === null ? null : markShortenable(text, tier)) as T;
}

function meeting(view: MeetingView): MeetingView {
  return {
    ...view,
    title: mark(view.title, 2),
    location: mark(view.location, 2),
    organizerUnit: mark(view.organizerUnit, 1),
    issuingBody: mark(view.issuingBody, 1),
    chair: mark(view.chair, 1),
    signer: mark(view.signer, 1),
    agendaText: mark(view.agendaText, 1),
    reason: mark(view.reason, 1),
    previous: { ...view.previous, location: mark(view.previous.location, 1) },
  };
}

function document(view: DocumentView): DocumentView {
  return {
    ...view,
    summary: mark(view.summary, 1),
    summaryLine: mark(view.summaryLine, 1),
    issuingBody: mark(view.issuingBody, 1),
    reason: mark(view.reason, 1),
    handlers: view.handlers.map((h) => mark(h, 1)),
  };
}

export function smsView(view: EventView): EventView {
  switch (view.kind) {
    case 'meeting':
      return { ...view, meeting: meeting(view.meeting) };
    case 'document':
      return { ...view, document: document(view.document) };
    case 'secret-document':
      return view;
  }
}
