import { CliError } from './errors';

export interface ServiceAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text. */
  body: unknown;
}

interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path?: string; message?: string }[];
}

/**
 * One request to a gateway service. A service that does not answer is reported with its name and
 * URL, since that is nearly always "the gateway is not running" or a wrong URL setting.
 */
export async function callService(
  service: { name: string; baseUrl: string; setting: string },
  request: { method: 'GET' | 'POST'; path: string; key: string; body?: string | Uint8Array; contentType?: string; timeoutMs?: number },
): Promise<ServiceAnswer> {
  const url = `${service.baseUrl}${request.path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: request.method,
      headers: { authorization: `Bearer ${request.key}`, accept: 'application/json, application/problem+json', ...(request.contentType ? { 'content-type': request.contentType } : {}) },
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? 'no answer in time' : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new CliError(
      `Không kết nối được ${service.name} / cannot reach the ${service.name} at ${service.baseUrl} (${why}).\n` +
        `Is the gateway running? Start it with \`npm start\`, or point ${service.setting} at it.`,
    );
  }
  const text = await res.text();
  let body: unknown = text;
  if (/json/i.test(res.headers.get('content-type') ?? '') && text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (res.status === 401 || res.status === 403) {
    throw new CliError(`${service.name} refused the key (${res.status} ${problemOf(body)?.title ?? ''}).\nUse a key with the right scope: --key or GATEWAY_KEY (the dev key of \`npm start\` has scope admin).`);
  }
  return { status: res.status, headers: res.headers, body };
}

function problemOf(body: unknown): Problem | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Problem) : undefined;
}

/** An RFC 9457 problem as lines an admin can act on: what, why, and each invalid field. */
function formatProblem(status: number, body: unknown): string[] {
  const p = problemOf(body);
  if (!p) return [`HTTP ${status}: ${String(body).slice(0, 500)}`];
  const lines = [`Lỗi / error ${status}: ${p.title ?? 'request refused'}${p.detail ? ` — ${p.detail}` : ''}`];
  for (const e of p.errors ?? []) lines.push(`  - ${e.path ?? '(body)'}: ${e.message ?? ''}`);
  return lines;
}

/** Fails with the problem's lines unless the status is one of `ok`. */
export function expectStatus(answer: ServiceAnswer, ok: number[]): void {
  if (!ok.includes(answer.status)) throw new CliError(formatProblem(answer.status, answer.body).join('\n'));
}
