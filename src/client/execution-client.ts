import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowHandle } from '@temporalio/client';
import { loadEnv, Env } from '../config/env';
import { processTracing } from '../ops/tracing';
import { InputError } from '../recording/input-error';
import { assertJobId, prepareLimitsFromEnv, validateJob } from '../recording/validate-job';
import { temporalConnectionOptions } from '../temporal/connection';
import { temporalDataConverter } from '../temporal/payload-encryption';
import { executionWorkflowId, progressQuery } from '../workflows/definitions';
import type { executionJob } from '../workflows/execution-job';
import type { ExecutionInput, JobProgress, JobSummary, PreparedJob, RowResult } from '../workflows/types';
import { readRerunLinks, readRowResults } from '../results/files';
import { jobStartOptions } from './job-start-options';

export interface StartedExecution {
  jobId: string;
  workflowId: string;
  runId?: string;
  /** True when this jobId was already started: the existing execution is returned, nothing runs twice. */
  existing: boolean;
  rows: number;
}

/**
 * Everything startExecution checks before it calls Temporal; undefined for a portal job (its jobId alone),
 * which the worker loads and checks. Throws InputError naming every problem.
 */
export function validateExecution(input: ExecutionInput, env: Env): PreparedJob | undefined {
  if (input === null || typeof input !== 'object')
    throw new InputError('startExecution needs an object: { jobId, recording, csv?, config? }');
  assertOrigin(input.origin);
  const portal = input.recording === undefined && input.csv === undefined;
  if (!portal) return validateJob(input, prepareLimitsFromEnv(env));
  assertJobId(input.jobId);
  return undefined;
}

const TRIGGERS = ['api', 'cli', 'portal', 'schedule'];

function assertOrigin(origin: ExecutionInput['origin']): void {
  if (origin === undefined) return;
  const problems: string[] = [];
  if (origin === null || typeof origin !== 'object') problems.push('origin must be an object');
  else {
    for (const key of ['ownerId', 'recordingId', 'scheduleId'] as const) {
      const v = origin[key];
      if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > 200))
        problems.push(`origin.${key}: a string of 1-200 characters`);
    }
    if (origin.triggeredBy !== undefined && !TRIGGERS.includes(origin.triggeredBy))
      problems.push(`origin.triggeredBy: one of ${TRIGGERS.join(', ')}`);
  }
  if (problems.length > 0) throw new InputError('Invalid origin', problems);
}

/**
 * What the portal (or the CLI) uses to run jobs. Validates input locally first, so a bad recording, CSV or
 * config is rejected with an InputError before anything starts.
 */
export class ExecutionClient {
  constructor(
    readonly client: Client,
    private readonly env: Env,
    private readonly connection?: Connection,
  ) {}

  /** Connects with the same TEMPORAL_* variables as the worker (default 127.0.0.1:7233). */
  static async connect(env: Env = loadEnv()): Promise<ExecutionClient> {
    const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`;
    const connection = await Connection.connect(temporalConnectionOptions(env, address));
    const client = new Client({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      dataConverter: temporalDataConverter(env),
      interceptors: processTracing(env)?.clientInterceptors,
    });
    return new ExecutionClient(client, env, connection);
  }

  /**
   * Starts a job. With a recording, everything is validated here first (InputError, nothing started).
   * With the jobId alone (the portal path), the worker loads the job from Supabase and validates it there:
   * a bad one ends failed, with the reason in execution_jobs.error_message.
   */
  async startExecution(input: ExecutionInput): Promise<StartedExecution> {
    const prepared = validateExecution(input, this.env);
    const workflowId = executionWorkflowId(input.jobId);
    const base = { jobId: input.jobId, workflowId, rows: prepared?.rows.length ?? 0 };
    // Describe first so the caller learns whether this call started anything; the conflict and reuse
    // policies below keep a concurrent duplicate start from running the job twice anyway.
    const known = await this.client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.runId)
      .catch(() => undefined);
    if (known) return { ...base, runId: known, existing: true };
    try {
      const handle = await this.client.workflow.start<typeof executionJob>(
        'executionJob',
        jobStartOptions(input, prepared, { taskQueueBase: this.env.TEMPORAL_TASK_QUEUE }),
      );
      return { ...base, runId: handle.firstExecutionRunId, existing: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { ...base, existing: true };
      throw err;
    }
  }

  private handle(jobId: string): WorkflowHandle<typeof executionJob> {
    return this.client.workflow.getHandle<typeof executionJob>(executionWorkflowId(jobId));
  }

  getProgress(jobId: string): Promise<JobProgress> {
    return this.handle(jobId).query(progressQuery);
  }

  /** The job's summary; `reruns` lists the jobs that reran its failed rows (when RESULTS_DIR is visible here). */
  async getResult(jobId: string): Promise<JobSummary> {
    const summary = await this.handle(jobId).result();
    const reruns = summary.resultsLocation ? await readRerunLinks(summary.resultsLocation) : [];
    return reruns.length ? { ...summary, reruns } : summary;
  }

  /**
   * Every row's result, however large the job: the summary carries counters and failures only above 100
   * rows. Reads the results files where this process can see RESULTS_DIR (same machine or shared volume).
   */
  async getAllRowResults(jobId: string): Promise<RowResult[]> {
    const summary = await this.getResult(jobId);
    if (!summary.resultsLocation) return summary.results;
    return readRowResults(summary.resultsLocation);
  }

  async cancelExecution(jobId: string): Promise<void> {
    await this.handle(jobId).cancel();
  }

  async close(): Promise<void> {
    await processTracing(this.env)?.flush();
    await this.connection?.close();
  }
}
