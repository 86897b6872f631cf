import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@gateway/common';
import type { OperatorStores } from '../data-access/stores';
import type { ItemOutcome, JobFilter, ResendJob } from '../data-access/resend-job-store';
import { toEpochRange } from '../domain/notification';
import { chainOf } from '../domain/resend-chain';
import type { ResendService } from './resend-service';

export interface JobRunnerOptions {
  /** Items resent concurrently, and settled (counted, cursor moved) together. */
  batchSize: number;
  leaseMs: number;
  /** The most messages one job may take. */
  maxItems: number;
}

const DEFAULT_JOB_OPTIONS: JobRunnerOptions = { batchSize: 25, leaseMs: 30_000, maxItems: 100_000 };

/**
 * Runs bulk resend jobs. A job's items are the chains matching its filter when it was created; the
 * runner settles them in batches and moves the job's cursor atomically with the counts, so a
 * restart resumes at the first unsettled batch. Every item's resend is named by the job
 * (`job:<id>`) and keyed by its chain, so the part of a batch that was published before a crash
 * gives the same message ids again, a chain yields one message per job, and neither the resend
 * store nor the worker's claim lets it out twice.
 */
export class ResendJobRunner {
  private readonly owner = `operator-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly active = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly deps: { stores: OperatorStores; resends: ResendService; logger: Logger; options?: Partial<JobRunnerOptions> },
  ) {}

  private get options(): JobRunnerOptions {
    return { ...DEFAULT_JOB_OPTIONS, ...this.deps.options };
  }

  /**
   * The job's items: each chain's latest attempt matching the filter (what the list shows), one
   * per chain even when a resend's first status is not projected yet and both still match.
   */
  async create(filter: JobFilter, createdBy: string): Promise<ResendJob> {
    const { notifications } = this.deps.stores;
    const matched = await notifications.matchIds({ ...toEpochRange(filter), latestOnly: true }, this.options.maxItems);
    const records = await notifications.getMany(matched);
    const chains = new Set<string>();
    const ids = matched.filter((id) => {
      const chain = chainOf(records.get(id) ?? { messageId: id });
      if (chains.has(chain)) return false;
      chains.add(chain);
      return true;
    });
    const at = new Date().toISOString();
    const job: ResendJob = { id: `job-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`, state: ids.length ? 'running' : 'done', total: ids.length, done: 0, failed: 0, skipped: 0, createdBy, createdAt: at, updatedAt: at, filter, cursor: 0 };
    await this.deps.stores.jobs.create(job, ids);
    if (ids.length) this.run(job.id);
    return job;
  }

  /** Resumes every job left running (at start). */
  async resume(): Promise<string[]> {
    const ids = await this.deps.stores.jobs.running();
    for (const id of ids) this.run(id);
    return ids;
  }

  /** Starts a job in the background unless this process already runs it; the promise resolves when it stops. */
  run(id: string): Promise<void> {
    const current = this.active.get(id);
    if (current) return current;
    const log = this.deps.logger.child({ jobId: id });
    const running = this.loop(id)
      .catch(async (err: unknown) => {
        log.error({ err: (err as Error).message }, 'resend job stopped on an error; it resumes at the next start');
      })
      .finally(() => this.active.delete(id));
    this.active.set(id, running);
    return running;
  }

  private async loop(id: string): Promise<void> {
    const { jobs } = this.deps.stores;
    const { batchSize, leaseMs } = this.options;
    for (;;) {
      if (this.stopped) return;
      if (!(await jobs.lease(id, this.owner, leaseMs))) {
        // Another replica runs it, or a crashed one held it: look again when its lease would end.
        await this.pause(leaseMs);
        continue;
      }
      const job = await jobs.get(id);
      if (!job || job.state !== 'running') break;
      const items = await jobs.items(id, job.cursor, batchSize);
      if (items.length === 0) {
        await jobs.finish(id, 'done');
        break;
      }
      const outcomes = await Promise.all(items.map((messageId) => this.item(id, messageId)));
      const counts: Record<ItemOutcome, number> = { done: 0, failed: 0, skipped: 0 };
      for (const o of outcomes) counts[o] += 1;
      if (!(await jobs.advance(id, job.cursor, counts, items.length))) break; // cancelled meanwhile
    }
    await jobs.release(id, this.owner);
  }

  private async item(jobId: string, messageId: string): Promise<ItemOutcome> {
    const result = await this.deps.resends.resend({ originalId: messageId, jobId, actor: `job:${jobId}` });
    if (result.kind === 'accepted') return 'done';
    // Delivered or resent by someone meanwhile: not this job's to send.
    if (result.kind === 'conflict' && (result.code === 'already-delivered' || result.code === 'already-resent')) return 'skipped';
    // No copy, or a copy that cannot be sent (its invitation names nobody it can be readdressed
    // from): this item cannot be resent, the job goes on. The id is logged, never the contact.
    const reason = result.kind === 'conflict' ? result.code : result.kind === 'invalid' ? result.errors.map((e) => e.code ?? e.path).join(',') : result.kind;
    this.deps.logger.warn({ jobId, messageId, reason }, 'resend job item failed');
    return 'failed';
  }

  /** Aborted by stop(): ends every pause at once (a pause's listener goes with it, none pile up). */
  private readonly stopping = new AbortController();

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /** Stops taking batches; what is in flight finishes (and is counted) first. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await Promise.allSettled([...this.active.values()]);
  }
}
