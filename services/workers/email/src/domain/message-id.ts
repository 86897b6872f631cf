/** RFC 5322 dot-atom: atoms of atext separated by single dots. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * The Message-ID of a notification: the same gateway message id always gives the same header, so
 * a retry or a redelivery after a crash carries the Message-ID of the first try and receiving
 * systems that drop duplicate Message-IDs drop the copy. Gateway ids may hold ":" and dots in
 * places a dot-atom does not allow; ":" becomes "=" and, where needed, "." becomes "+", characters
 * gateway ids never contain, so two ids never share a Message-ID.
 */
export function messageIdHeader(messageId: string, domain: string): string {
  let local = messageId.replace(/:/g, '=');
  if (!DOT_ATOM.test(local)) local = local.replace(/\./g, '+');
  return `<${local}@${domain}>`;
}

const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isMailDomain(domain: string): boolean {
  return DOMAIN.test(domain);
}
