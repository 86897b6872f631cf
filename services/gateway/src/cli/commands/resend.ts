import { callService, expectStatus, type ServiceAnswer } from '../http';
import { KEY_OPTION, parseCommandArgs, type CliContext, type Command } from '../command';
import { CliError, EXIT, UsageError } from '../errors';
import { parseResendFilter } from '../resend-filter';
import { resolveKey, urlFlag } from '../settings';

const USAGE = `Gửi lại / resend the notifications that match a filter, as one job on the operator, with progress

  npm run gateway -- resend [filters]

Filters (at least one; comma-separated lists for status and channel):
  --status <failed,dead,…>     current state of the notification
  --channel <sms,email,…>      sms, email, push, inapp
  --event <eventId>            one event's notifications
  --source <system>            the sending system
  --recipient <text>           name, phone or email of the recipient
  --since <time>  --until <time>
                               08:00 (today), 2025-09-29, 2025-09-29 08:00 (Vietnam time) or ISO with offset
Options:
  --operator-url <url>   the operator API (default: $GATEWAY_OPERATOR_URL, else http://127.0.0.1:8082)
  --key <key>            a key with scope notifications:resend (default: $GATEWAY_KEY, else the npm start dev key)
  --poll-ms <ms>         how often to ask for progress (default 500)

Ctrl-C asks the operator to cancel the job and waits for it to stop; a second Ctrl-C leaves at once.
Exit code 0 when every matching notification was resent, 1 when some failed or the job was cancelled.

Example:
  npm run gateway -- resend --status failed --channel sms --since 08:00`;

interface ResendJob {
  id: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  total: number;
  done: number;
  failed: number;
  skipped: number;
  error?: string;
}

const MAX_POLL_FAILURES = 10;

/** What the bar shows as progress: every notification the job has finished with, one way or another. */
function processed(job: Pick<ResendJob, 'total' | 'done' | 'failed' | 'skipped'>): number {
  return Math.min(job.total, job.done + job.failed + job.skipped);
}

function summary(job: ResendJob): string {
  return `${job.done}/${job.total} resent, ${job.failed} failed, ${job.skipped} skipped`;
}

/** A progress bar on a terminal; on anything else (a pipe, CI) nothing until the summary. */
async function progressBar(ctx: CliContext, total: number): Promise<{ update(job: ResendJob): void; stop(): void }> {
  if (!ctx.progressStream.isTTY) return { update: () => undefined, stop: () => undefined };
  // Loaded only here: the rest of the CLI runs without it (e.g. in the production image).
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ format: 'Gửi lại / resending |{bar}| {value}/{total} · {failed} failed · {skipped} skipped · {eta_formatted}', stream: ctx.progressStream, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { failed: 0, skipped: 0 });
  return {
    update: (job) => bar.update(processed(job), { failed: job.failed, skipped: job.skipped }),
    stop: () => bar.stop(),
  };
}

export const resendCommand: Command = {
  name: 'resend',
  summary: 'resend notifications by filter, with a progress bar',
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, {
      ...KEY_OPTION,
      'operator-url': { type: 'string' },
      status: { type: 'string' },
      channel: { type: 'string' },
      event: { type: 'string' },
      source: { type: 'string' },
      recipient: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'poll-ms': { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
    const pollMs = values['poll-ms'] === undefined ? 500 : Number(values['poll-ms']);
    if (!Number.isInteger(pollMs) || pollMs < 50) throw new UsageError('--poll-ms must be a whole number of milliseconds, at least 50');
    const filter = parseResendFilter(values, ctx.now());
    const operator = { name: 'operator API', baseUrl: urlFlag('operator-url', values['operator-url'], ctx.settings.operatorUrl), setting: 'GATEWAY_OPERATOR_URL' };
    const key = resolveKey(values.key, ctx.settings);

    const created = await callService(operator, { method: 'POST', path: '/v1/resend-jobs', key, body: JSON.stringify({ filter }), contentType: 'application/json' });
    if (created.status === 404) throw new CliError(`The operator at ${operator.baseUrl} has no resend jobs API (POST /v1/resend-jobs answered 404); update the gateway.`);
    expectStatus(created, [200, 201, 202]);
    const { id, total } = created.body as { id: string; total: number };
    ctx.out(`Lệnh gửi lại / resend job ${id}: ${total} notification(s) match ${JSON.stringify(filter)}`);
    if (total === 0) {
      ctx.out('Không có gì để gửi lại / nothing to resend.');
      return EXIT.ok;
    }

    const bar = await progressBar(ctx, total);
    let cancelRequested = false;
    let leave: (() => void) | undefined;
    const left = new Promise<void>((resolve) => (leave = resolve));
    const removeInterrupt = ctx.onInterrupt(() => {
      if (cancelRequested) {
        leave?.();
        return;
      }
      cancelRequested = true;
      ctx.err(`\nĐang hủy / cancelling job ${id}… (Ctrl-C again to leave without waiting; the job keeps its state)`);
      void callService(operator, { method: 'POST', path: `/v1/resend-jobs/${encodeURIComponent(id)}/cancel`, key })
        .then((a) => expectStatus(a, [200, 202, 204]))
        .catch((err: Error) => ctx.err(`Could not cancel: ${err.message}`));
    });
    try {
      let failures = 0;
      for (;;) {
        let answer: ServiceAnswer | undefined;
        try {
          answer = await callService(operator, { method: 'GET', path: `/v1/resend-jobs/${encodeURIComponent(id)}`, key });
          expectStatus(answer, [200]);
          failures = 0;
        } catch (err) {
          if (++failures >= MAX_POLL_FAILURES) throw new CliError(`${(err as Error).message}\nThe job ${id} may still be running; look again with GET /v1/resend-jobs/${id}.`);
          answer = undefined;
        }
        if (answer) {
          const job = answer.body as ResendJob;
          bar.update(job);
          if (job.state !== 'running') {
            bar.stop();
            if (job.state === 'done') ctx.out(`Xong / done: ${summary(job)}.`);
            else if (job.state === 'cancelled') ctx.out(`Đã hủy / cancelled: ${summary(job)} before it stopped.`);
            else ctx.out(`Thất bại / the job failed: ${job.error ?? 'no reason given'}; ${summary(job)}.`);
            return job.state === 'done' && job.failed === 0 ? EXIT.ok : EXIT.failure;
          }
        }
        const waited = await Promise.race([new Promise<'tick'>((r) => setTimeout(() => r('tick'), pollMs)), left.then(() => 'left' as const)]);
        if (waited === 'left') {
          bar.stop();
          ctx.err(`Đã thoát / left; job ${id} was asked to cancel.`);
          return EXIT.failure;
        }
      }
    } finally {
      removeInterrupt();
      bar.stop();
    }
  },
};
