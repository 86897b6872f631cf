/** The UID by which calendar clients match an update or a cancellation to its invitation (RFC 5545). */

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * `meeting-<id>@<domain>`, or `meeting-<sender>/<id>@<domain>` for a sender whose meeting id
 * another sender used first. Both parts are percent-encoded, which keeps the UID free of the TEXT
 * delimiters (, ; \ and line breaks) and stays one-to-one: an encoded part never holds a bare
 * "/", so two meetings (of one sender or two) never share a UID.
 */
export function meetingUid(meetingId: string, domain: string, scope?: string): string {
  if (meetingId.length === 0) throw new RangeError('meetingUid: the meeting id is empty');
  if (scope !== undefined && scope.length === 0) throw new RangeError('meetingUid: the sender is empty');
  const host = domain.toLowerCase();
  if (!HOSTNAME.test(host)) throw new RangeError(`meetingUid: "${domain}" is not a host name`);
  const sender = scope === undefined ? '' : `${encodeURIComponent(scope)}/`;
  return `meeting-${sender}${encodeURIComponent(meetingId)}@${host}`;
}
