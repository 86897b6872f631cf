/** Types of problems.js (a browser script without a build step, also loaded by its unit test). */
export interface ProblemDocument {
  type?: string;
  title?: string;
  detail?: string;
  /** `code`: the value is valid but cannot be used here; `message` is then Vietnamese and shown as it is. */
  errors?: Array<{ path: string; message: string; code?: string }>;
}
export function fieldName(path: string): string;
export function problemText(status: number, problem?: ProblemDocument): string;
export const NETWORK_TEXT: string;

/** In the browser, problems.js (imported by api.js for its effect) leaves its functions here. */
export interface GatewayProblems {
  fieldName(path: string): string;
  /** `problem` is whatever the server answered: problems.js reads only the fields it knows. */
  problemText(status: number, problem?: unknown): string;
  NETWORK_TEXT: string;
}
declare global {
  interface Window {
    GatewayProblems: GatewayProblems;
  }
}
