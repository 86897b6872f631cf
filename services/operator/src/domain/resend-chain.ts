import type { DeliveryState } from '@gateway/contracts';
import { RESENDABLE_STATES, SUCCESS_STATES, type NotificationRecord } from './notification';

/*
 * A chain is an original notification and the resends that replace it, oldest first. Every
 * resend names the chain's original (`resendOf`), never an earlier resend, so the original's id
 * is the chain's id: a job resends each chain once, and the chain's latest attempt is the one that
 * counts for the person.
 */

/** The id of the chain a notification belongs to: its original's. */
export function chainOf(record: Pick<NotificationRecord, 'messageId' | 'resendOf'>): string {
  return record.resendOf ?? record.messageId;
}

/** A chain's latest resend, with its current state (absent until its first status is projected). */
export interface LatestResend {
  messageId: string;
  status?: DeliveryState;
}

/** What its chain's resends mean for one notification: the same answer for the list, the detail, the overview and the report. */
export interface ResendState {
  /** An operator may resend now (the chain is resent from its latest attempt). */
  resendable: boolean;
  /** The later resend that stands for this notification, when it is not its chain's latest attempt. */
  resentAs?: LatestResend;
  /** The state that counts for the person: the chain's latest attempt's ("rendered" while that resend is on its way). */
  current: DeliveryState;
  /** The person got this notification or a resend standing for it. */
  reached: boolean;
}

/** The one rule: a notification a later resend replaced takes that resend's state; the latest attempt speaks for itself. */
export function resendState(record: Pick<NotificationRecord, 'messageId' | 'status'>, latest: LatestResend | undefined): ResendState {
  if (latest === undefined || latest.messageId === record.messageId) {
    return { resendable: RESENDABLE_STATES.has(record.status), current: record.status, reached: SUCCESS_STATES.has(record.status) };
  }
  // Not yet projected: the resend is on its way, and resending again would reach the person twice.
  const current = latest.status ?? 'rendered';
  return {
    resendable: RESENDABLE_STATES.has(record.status) && RESENDABLE_STATES.has(current),
    resentAs: latest,
    current,
    reached: SUCCESS_STATES.has(record.status) || SUCCESS_STATES.has(current),
  };
}

export interface Contact {
  phone?: string;
  email?: string;
}

/** What a resend record says about where it went (the fields of ResendRecord this needs). */
export interface ResendDestination {
  contact?: Contact;
  corrections?: { phone?: { after: string }; email?: { after: string } };
}

/**
 * Where the chain's latest attempt went: the original's contact, then each resend's in order (a
 * resend names the contact it went to; older records only their corrections). A resend without
 * corrections goes where the latest attempt went, so a corrected number is not lost by the next resend.
 */
export function latestContact(original: Contact, resends: readonly ResendDestination[]): Contact {
  let contact: Contact = { ...(original.phone ? { phone: original.phone } : {}), ...(original.email ? { email: original.email } : {}) };
  for (const r of resends) {
    if (r.contact) contact = { ...r.contact };
    else {
      if (r.corrections?.phone) contact.phone = r.corrections.phone.after;
      if (r.corrections?.email) contact.email = r.corrections.email.after;
    }
  }
  return contact;
}

/** A chain's head as the projection keeps it: the attempt whose first status is the latest. */
export interface ChainHead {
  messageId: string;
  atMs: number;
}

/**
 * A resend's first status arrived: the new head of its chain, and the attempt it pushes out of the
 * one-row-per-chain lists. Statuses of one chain arrive on different partitions, so a resend may
 * be projected before an earlier one: the later `at` wins, whatever the order of arrival. The
 * Redis adapter's Lua script implements the same rule.
 */
export function advanceHead(head: ChainHead | undefined, chainId: string, arriving: ChainHead): { head: ChainHead; superseded: string } {
  const current = head ?? { messageId: chainId, atMs: Number.NEGATIVE_INFINITY };
  const later = arriving.atMs > current.atMs || (arriving.atMs === current.atMs && arriving.messageId > current.messageId);
  return later ? { head: arriving, superseded: current.messageId } : { head: current, superseded: arriving.messageId };
}
