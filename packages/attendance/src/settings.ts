import { z } from 'zod';

/**
 * Settings shared by the services that make links (renderer) and answer them (operator). They are
 * zod pieces for each service's own settings schema: only composition roots read the environment.
 */
export function attendanceEnvSettings() {
  return {
    /** Where recipients open their personal links: `<PUBLIC_BASE_URL>/x/<code>` (short, for SMS). */
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL, e.g. https://tb.example.gov.vn' }).default('http://127.0.0.1:8082'),
    /** HMAC secret of the personal links; absent: invitations carry no link (and ask RSVP=FALSE in their calendar part all the same). */
    ATTENDANCE_LINK_SECRET: z.union([z.literal(''), z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 33)')]).optional(),
  };
}

export interface AttendanceLinkSettings {
  publicBaseUrl: string;
  secret: string;
}

export function attendanceLinkSettings(s: { PUBLIC_BASE_URL: string; ATTENDANCE_LINK_SECRET?: string | undefined }): AttendanceLinkSettings | undefined {
  // Empty counts as unset: compose passes `${ATTENDANCE_LINK_SECRET:-}` through.
  return s.ATTENDANCE_LINK_SECRET === undefined || s.ATTENDANCE_LINK_SECRET === '' ? undefined : { publicBaseUrl: s.PUBLIC_BASE_URL, secret: s.ATTENDANCE_LINK_SECRET };
}
