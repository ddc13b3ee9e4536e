/**
 * The Runs API over Temporal: a run is an executionJob whose workflow id is `execution-<run id>`. Creates
 * start it (owner, recording and trigger as search attributes, the options in the memo); reads describe,
 * query or await it; lists come from visibility. Every read is owner-scoped: another owner's run is not found.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { validateExecution } from '../client/execution-client';
import { jobStartOptions } from '../client/job-start-options';
import type { Env } from '../config/env';
import { InputError } from '../recording/input-error';
import { executionWorkflowId, progressQuery } from '../workflows/definitions';
import type { executionJob } from '../workflows/execution-job';
import { DELETED, OWNER_ID } from '../workflows/search-attributes';
import type { ExecutionInput } from '../workflows/types';
import type { Principal } from './auth';
import type { Capacity } from './capacity';
import { ApiError, runNotFound } from './errors';
import { isMarkedDeleted } from './deleted-runs';
import type { RecordingSource } from './recordings';
import { RUN_MEMO, runView, type RunDetail, type RunMemo, type RunView } from './run-view';
import type { CreateRunBody, RunOptions } from './schemas';

export interface RunServiceDeps {
  client: Client;
  env: Env;
  recordings: RecordingSource;
  capacity: Capacity;
}

export interface OwnedRun {
  handle: WorkflowHandle<typeof executionJob>;
  description: WorkflowExecutionDescription;
}

/** The API's run options → the job config the workflow validates. */
export function jobConfigOf(options: RunOptions = {}) {
  const config: Record<string, unknown> = {
    browser: options.browser,
    headless: options.headless,
    stepTimeoutMs: options.timeout,
    screenshots: options.screenshots,
    trace: options.trace,
    video: options.video,
    timingMode: options.timingMode,
    speedMultiplier: options.speedMultiplier,
    maxConcurrentRows: options.rowConcurrency,
    priority: options.priority,
    defaults: options.defaults,
  };
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
}

/** An inline recording is still findable by recording: its content hash stands in for an id. */
const inlineRecordingId = (recording: unknown) =>
  `inline-${createHash('sha256')
    .update(typeof recording === 'string' ? recording : JSON.stringify(recording))
    .digest('hex')
    .slice(0, 16)}`;

export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /** The same owner + Idempotency-Key always names the same run id, so a repeated create finds it. */
  private runIdFor(ownerId: string, idempotencyKey?: string): string {
    if (!idempotencyKey) return randomUUID();
    return `idem-${createHash('sha256').update(`${ownerId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
  }

  async create(
    principal: Principal,
    body: CreateRunBody,
    opts: { idempotencyKey?: string; retryOf?: string; csv?: string; recordingIdShown?: string } = {},
  ) {
    const jobId = this.runIdFor(principal.ownerId, opts.idempotencyKey);
    if (opts.idempotencyKey) {
      const existing = await this.find(principal, jobId);
      if (existing) return { run: await this.view(existing), created: false };
    }
    const stored = body.recordingId ? await this.deps.recordings.load(body.recordingId, principal.ownerId) : undefined;
    const recording = stored?.recording ?? body.recording;
    const input: ExecutionInput = {
      jobId,
      recording,
      csv: opts.csv ?? body.csv,
      config: jobConfigOf(body.options),
      origin: {
        ownerId: principal.ownerId,
        triggeredBy: 'api',
        recordingId: body.recordingId ?? opts.recordingIdShown ?? inlineRecordingId(recording),
      },
    };
    let prepared;
    try {
      prepared = validateExecution(input, this.deps.env);
    } catch (err) {
      if (err instanceof InputError) {
        throw new ApiError(
          'VALIDATION_ERROR',
          err.message.split('\n')[0],
          err.issues.map((message) => ({ path: 'body', message })),
        );
      }
      throw err;
    }
    if (stored && prepared) prepared.flow.title = stored.name || prepared.flow.title;
    const memo: RunMemo = { options: body.options ?? {}, ...(opts.retryOf ? { retryOf: opts.retryOf } : {}) };
    await this.deps.capacity.admit(principal.ownerId, executionWorkflowId(jobId), () =>
      this.deps.client.workflow.start<typeof executionJob>(
        'executionJob',
        jobStartOptions(input, prepared, { taskQueueBase: this.deps.env.TEMPORAL_TASK_QUEUE, memo: { [RUN_MEMO]: memo } }),
      ),
    );
    const run = await this.get(principal, jobId);
    return { run, created: true };
  }

  /** The owner's run, or undefined (missing, another owner's, soft-deleted). */
  async find(principal: Principal, id: string): Promise<OwnedRun | undefined> {
    const handle = this.deps.client.workflow.getHandle<typeof executionJob>(executionWorkflowId(id));
    try {
      const description = await handle.describe();
      const sa = description.typedSearchAttributes;
      if (description.type !== 'executionJob' || sa.get(OWNER_ID) !== principal.ownerId || sa.get(DELETED) === true) return undefined;
      if (isMarkedDeleted(this.deps.env.RESULTS_DIR, id)) return undefined;
      return { handle, description };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async owned(principal: Principal, id: string): Promise<OwnedRun> {
    const run = await this.find(principal, id);
    if (!run) throw runNotFound(id);
    return run;
  }

  async detail(run: OwnedRun): Promise<RunDetail> {
    const state = run.description.status.name;
    if (state === 'RUNNING') {
      const progress = await run.handle.query(progressQuery).catch(() => undefined);
      return { progress };
    }
    try {
      return { summary: await run.handle.result() };
    } catch (err) {
      return { failure: ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message };
    }
  }

  async view(run: OwnedRun): Promise<RunView> {
    return runView(run.description, await this.detail(run));
  }

  async get(principal: Principal, id: string): Promise<RunView> {
    return this.view(await this.owned(principal, id));
  }
}
