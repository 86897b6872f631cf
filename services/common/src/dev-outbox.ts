/**
 * What the development sinks captured instead of sending (embedded mode): emails with their
 * rendered HTML, plain text and calendar part; SMS with their encoding and segment count. The
 * operator console shows them when the gateway runs on embedded defaults.
 */
export interface CapturedEmail {
  /** The notification (channel message) id. */
  messageId: string;
  eventId: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The iCalendar part (text/calendar), when the message carries one. */
  ics?: string;
  at: string;
}

export interface CapturedSms {
  messageId: string;
  eventId: string;
  to: string;
  body: string;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  at: string;
}

export interface DevOutbox {
  /** Newest first. */
  emails(limit?: number): CapturedEmail[];
  email(messageId: string): CapturedEmail | undefined;
  /** Newest first. */
  sms(limit?: number): CapturedSms[];
}
