import { runListing } from './run-listing';
import { Client, ScheduleOverlapPolicy, type ScheduleDescription } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Env } from '../config/env';
import { InputError } from '../recording/input-error';
import { orchestrationQueue } from '../temporal/task-queues';
import { executionWorkflowId } from '../workflows/definitions';
import type { executionJob } from '../workflows/execution-job';
import type { ExecutionInput, PreparedJob } from '../workflows/types';
import { validateExecution } from './execution-client';

/** What a schedule does when its next time comes while the previous run is still going. */
export const OVERLAP_POLICIES = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
} as const;
export type OverlapName = keyof typeof OVERLAP_POLICIES;

export interface CreateScheduleRequest {
  /** Also each run's jobId prefix: a run's jobId is `<scheduleId>-<scheduled time, RFC 3339>`. */
  scheduleId: string;
  recording: unknown;
  csv?: string;
  config?: ExecutionInput['config'];
  /** Owner of every run (its default fairness key). */
  ownerId?: string;
  recordingId?: string;
  /** Cron expressions (5 fields, or 6 with seconds), e.g. "0 3 * * *". */
  cron?: string[];
  /** Fixed intervals, e.g. "1h", "15m". */
  every?: string[];
  /** IANA time zone the cron expressions are read in (default UTC). */
  timezone?: string;
  overlap?: OverlapName;
  paused?: boolean;
  note?: string;
}

export interface ScheduleSummaryView {
  scheduleId: string;
  /** Who created it (the Runs API's owner scoping). */
  ownerId?: string;
  paused: boolean;
  note?: string;
  cron: string[];
  every: string[];
  timezone?: string;
  nextRuns: string[];
  recentRuns: { scheduledAt: string; jobId: string }[];
}

/** Up to ScheduleId max plus `-2026-01-01T00:00:00Z` stays within the 200-character jobId limit. */
const SCHEDULE_ID = /^[A-Za-z0-9._:-]{1,150}$/;
const EXECUTION_PREFIX = executionWorkflowId('');
const SPEC_MEMO = 'recorderRunnerSpec';
const OWNER_MEMO = 'recorderRunnerOwner';

export function assertScheduleId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !SCHEDULE_ID.test(id))
    throw new InputError('Invalid scheduleId: use 1-150 letters, digits, ".", "_", ":" or "-"');
}

function checkSpec(req: CreateScheduleRequest): string[] {
  const problems: string[] = [];
  const cron = req.cron ?? [];
  const every = req.every ?? [];
  if (cron.length === 0 && every.length === 0) problems.push('a schedule needs --cron or --every');
  for (const c of cron) {
    const fields = c.trim().split(/\s+/).length;
    if (c.trim().startsWith('@') ? false : fields < 5 || fields > 7)
      problems.push(`cron "${c}": expected 5 fields (minute hour day month weekday)`);
  }
  for (const e of every) {
    let ms = NaN;
    try {
      ms = msToNumber(e as never);
    } catch {
      // reported below
    }
    if (!(ms >= 1000)) problems.push(`every "${e}": expected a duration of at least 1s such as 15m, 1h, 1d`);
  }
  if (req.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: req.timezone });
    } catch {
      problems.push(`timezone "${req.timezone}": not an IANA time zone (e.g. Europe/Berlin)`);
    }
  }
  if (req.overlap !== undefined && !(req.overlap in OVERLAP_POLICIES))
    problems.push(`overlap "${req.overlap}": expected one of ${Object.keys(OVERLAP_POLICIES).join(', ')}`);
  return problems;
}

/**
 * Temporal Schedules of execution jobs. Each run is an ordinary job (its own workflow, rows, results) whose
 * workflow id is the schedule's plus the scheduled time, marked origin.triggeredBy 'schedule'. The job is
 * validated here, when the schedule is created, not when it first fires.
 */
/**
 * Everything a schedule can be refused for, checked without a server (id, times, recording, CSV, config), so a bad
 * schedule fails when it is created, not at 3 a.m. Returns the job input its runs start with.
 */
export function validateSchedule(req: CreateScheduleRequest, env: Env): { input: ExecutionInput; prepared: PreparedJob } {
  assertScheduleId(req.scheduleId);
  const problems = checkSpec(req);
  if (problems.length > 0) throw new InputError('Invalid schedule', problems);
  const origin: ExecutionInput['origin'] = {
    triggeredBy: 'schedule',
    scheduleId: req.scheduleId,
    ...(req.ownerId ? { ownerId: req.ownerId } : {}),
    ...(req.recordingId ? { recordingId: req.recordingId } : {}),
  };
  // The run's jobId is derived from its workflow id when it starts; this one is only validated.
  const input: ExecutionInput = { jobId: req.scheduleId, recording: req.recording, csv: req.csv, config: req.config, origin };
  if (input.recording === undefined) throw new InputError('A schedule needs a recording');
  return { input, prepared: validateExecution(input, env)! };
}

export class JobSchedules {
  constructor(
    private readonly client: Client,
    private readonly env: Env,
  ) {}

  async create(req: CreateScheduleRequest): Promise<{ scheduleId: string }> {
    const { input, prepared } = validateSchedule(req, this.env);
    await this.client.schedule.create<typeof executionJob>({
      scheduleId: req.scheduleId,
      spec: {
        cronExpressions: req.cron ?? [],
        intervals: (req.every ?? []).map((every) => ({ every: every as never })),
        ...(req.timezone ? { timezone: req.timezone } : {}),
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'executionJob',
        // The server appends the scheduled time: execution-<scheduleId>-2026-01-01T03:00:00Z.
        workflowId: executionWorkflowId(req.scheduleId),
        taskQueue: orchestrationQueue(this.env.TEMPORAL_TASK_QUEUE),
        // Encoded by the client's data converter, so encrypted like any job input (TEMPORAL_PAYLOAD_KEY).
        args: [input],
        // No priority here (the 1.24 SDK's schedule action has none): the job puts config.priority on its
        // rows and their sessions itself, where slots are contended.
        // Findable like any job from its first moment: RunStatus queued, TriggeredBy schedule, title and rows.
        ...runListing(input, prepared),
      },
      policies: { overlap: OVERLAP_POLICIES[req.overlap ?? 'skip'] },
      // The server keeps cron strings as calendars; the memo keeps them as written, for describe.
      memo: { [SPEC_MEMO]: { cron: req.cron ?? [], every: req.every ?? [] }, ...(req.ownerId ? { [OWNER_MEMO]: req.ownerId } : {}) },
      state: { paused: req.paused ?? false, ...(req.note ? { note: req.note } : {}) },
    });
    return { scheduleId: req.scheduleId };
  }

  async list(): Promise<{ scheduleId: string; ownerId?: string; paused: boolean; nextRuns: string[] }[]> {
    const out: { scheduleId: string; ownerId?: string; paused: boolean; nextRuns: string[] }[] = [];
    for await (const s of this.client.schedule.list()) {
      if (s.action?.type !== 'startWorkflow' || s.action.workflowType !== 'executionJob') continue;
      const ownerId = s.memo?.[OWNER_MEMO] as string | undefined;
      out.push({
        scheduleId: s.scheduleId,
        ...(ownerId ? { ownerId } : {}),
        paused: s.state.paused,
        nextRuns: s.info.nextActionTimes.map((t) => t.toISOString()),
      });
    }
    return out;
  }

  async describe(scheduleId: string): Promise<ScheduleSummaryView> {
    return view(scheduleId, await this.handle(scheduleId).describe());
  }

  pause(scheduleId: string, note?: string): Promise<void> {
    return this.handle(scheduleId).pause(note);
  }

  unpause(scheduleId: string, note?: string): Promise<void> {
    return this.handle(scheduleId).unpause(note);
  }

  /** Runs the job now (a normal scheduled run, id stamped with now). */
  trigger(scheduleId: string, overlap?: OverlapName): Promise<void> {
    return this.handle(scheduleId).trigger(overlap ? OVERLAP_POLICIES[overlap] : undefined);
  }

  /** Takes the actions the schedule would have taken between start and end (e.g. missed while paused). */
  backfill(scheduleId: string, range: { start: Date; end: Date; overlap?: OverlapName }): Promise<void> {
    if (!(range.start < range.end)) throw new InputError('backfill: start must be before end');
    return this.handle(scheduleId).backfill({
      start: range.start,
      end: range.end,
      ...(range.overlap ? { overlap: OVERLAP_POLICIES[range.overlap] } : {}),
    });
  }

  /** Deletes the schedule; runs it already started go on. */
  delete(scheduleId: string): Promise<void> {
    return this.handle(scheduleId).delete();
  }

  private handle(scheduleId: string) {
    assertScheduleId(scheduleId);
    return this.client.schedule.getHandle(scheduleId);
  }
}

function view(scheduleId: string, d: ScheduleDescription): ScheduleSummaryView {
  const written = d.memo?.[SPEC_MEMO] as { cron: string[]; every: string[] } | undefined;
  const ownerId = d.memo?.[OWNER_MEMO] as string | undefined;
  return {
    scheduleId,
    ...(ownerId ? { ownerId } : {}),
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    cron: written?.cron ?? [],
    every: written?.every ?? (d.spec.intervals ?? []).map((i) => `${msToNumber(i.every) / 1000}s`),
    ...(d.spec.timezone ? { timezone: d.spec.timezone } : {}),
    nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      jobId: 'workflow' in a.action ? a.action.workflow.workflowId.slice(EXECUTION_PREFIX.length) : '',
    })),
  };
}
