/**
 * Types of labels.js: the operator builds it from the contracts' statuses, channels and urgencies
 * (src/entry-points/console-labels.ts) and serves it beside these files.
 */
export const STATUS: Readonly<Record<string, string>>;
export const CHANNEL: Readonly<Record<string, string>>;
export const URGENCY: Readonly<Record<string, string>>;
export const JOB_STATE: Readonly<Record<string, string>>;
/** The states of a message a worker gave up on, as the list's status filter sends them. */
export const FAILED_STATES: string;
