import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { loadEnv, Env } from '../config/env';
import { prepareExecution } from '../activities/prepare-execution';
import { InputError } from '../recording/input-error';
import { temporalConnectionOptions } from '../temporal/connection';
import { temporalDataConverter } from '../temporal/payload-encryption';
import { orchestrationQueue } from '../temporal/task-queues';
import { executionWorkflowId, progressQuery } from '../workflows/definitions';
import type { executionJob } from '../workflows/execution-job';
import type { ExecutionInput, JobProgress, JobSummary, RowResult } from '../workflows/types';
import { readRowResults } from '../activities/results-files';

export interface StartedExecution {
  jobId: string;
  workflowId: string;
  runId?: string;
  /** True when this jobId was already started: the existing execution is returned, nothing runs twice. */
  existing: boolean;
  rows: number;
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
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: temporalDataConverter(env) });
    return new ExecutionClient(client, env, connection);
  }

  /**
   * Starts a job. With a recording, everything is validated here first (InputError, nothing started).
   * With the jobId alone (the portal path), the worker loads the job from Supabase and validates it there:
   * a bad one ends failed, with the reason in execution_jobs.error_message.
   */
  async startExecution(input: ExecutionInput): Promise<StartedExecution> {
    const portal = input.recording === undefined && input.csv === undefined;
    const prepared = portal
      ? undefined
      : prepareExecution(input, {
          maxRowsPerJob: this.env.MAX_ROWS_PER_JOB,
          maxSessionRestarts: this.env.MAX_SESSION_RESTARTS,
          sessionHeartbeatTimeoutMs: this.env.SESSION_HEARTBEAT_TIMEOUT_MS,
        });
    if (portal && !/^[A-Za-z0-9._:-]{1,200}$/.test(input.jobId ?? ''))
      throw new InputError('Invalid jobId: use 1-200 letters, digits, ".", "_", ":" or "-"');
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
      const handle = await this.client.workflow.start<typeof executionJob>('executionJob', {
        workflowId,
        taskQueue: orchestrationQueue(this.env.TEMPORAL_TASK_QUEUE),
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: prepared
          ? `job ${input.jobId}: ${prepared.rows.length} row(s) × ${prepared.flow.steps.length} step(s)`
          : `portal job ${input.jobId}`,
      });
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

  getResult(jobId: string): Promise<JobSummary> {
    return this.handle(jobId).result();
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
    await this.connection?.close();
  }
}
