/** Types of problems.js (a browser script without a build step, also loaded by its unit test). */
export interface ProblemDocument {
  type?: string;
  title?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
}
export function fieldName(path: string): string;
export function problemText(status: number, problem?: ProblemDocument): string;
export const NETWORK_TEXT: string;
