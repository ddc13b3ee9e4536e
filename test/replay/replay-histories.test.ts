import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/support/tools';
import { CSV_ROW_WORKFLOW_PATCH, SESSION_LEASE_PATCH, TASK_QUEUE_PRIORITY_PATCH } from '../../src/workflows/patches';
import { testState } from '../support/harness';

/**
 * Determinism guard: histories of real executions (scripts/record-histories.ts) replayed against the current
 * workflow code. A change that would break jobs already running fails here, before it reaches a worker.
 */
const DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
const generations = readdirSync(DIR).sort();
/** A history holds no workflow id; a generation that needs it (a scheduled run's job id comes from it) lists them. */
const workflowIds = (generation: string): Record<string, string> => {
  const file = join(DIR, generation, 'workflow-ids.txt');
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
};
const fixtures = generations.flatMap((generation) => {
  const ids = workflowIds(generation);
  return readdirSync(join(DIR, generation))
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ generation, file, workflowId: ids[file], json: JSON.parse(readFileSync(join(DIR, generation, file), 'utf8')) }));
});

type Event = {
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  markerRecordedEventAttributes?: { details: Record<string, { payloads: Array<{ data: string }> }> };
};
const events = (generation: string, name: string, type: string): Event[] =>
  fixtures.find((f) => f.generation === generation && f.file.startsWith(`${name}--${type}--`))!.json.events;
const activities = (evs: Event[], name: string) => evs.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name);
/** The ids of the patch markers in a history (a patch marker's payload is base64 JSON naming its patch). */
const patchIds = (evs: Event[]): string[] =>
  evs
    .filter((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED')
    // Local activities record markers too, without patch data.
    .flatMap((e) => e.markerRecordedEventAttributes!.details['patch-data']?.payloads ?? [])
    .map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString()).id);
/** The workflow types of the children a history starts, in order. */
const childWorkflowTypes = (evs: Event[]): string[] =>
  (evs as Array<Event & { startChildWorkflowExecutionInitiatedEventAttributes?: { workflowType?: { name?: string } } }>).flatMap(
    (e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ?? [],
  );
/** Jobs start their rows as csvRow from generation 10 on (CSV_ROW_WORKFLOW_PATCH), as rowRun before. */
const rowType = (generation: string) => (generation >= '10' ? 'csvRow' : 'rowRun');

describe('workflow histories replay against the current code', () => {
  it.each(generations)('generation %s has every representative execution', (generation) => {
    const mine = fixtures.filter((f) => f.generation === generation);
    const kinds = new Set(mine.map((f) => f.file.split('--')[0]));
    // From generation 09 on, a scheduled run too (the job id taken from the schedule's workflow id).
    const scheduled = generation >= '09' ? ['scheduled'] : [];
    expect([...kinds].sort()).toEqual(['cancelled', 'continue-as-new', 'failed', 'passed', ...scheduled, 'session-restart']);
    // The fixtures show what they claim to: the restarted row asked for a session twice.
    const restart = events(generation, 'session-restart', rowType(generation));
    expect(activities(restart, 'holdSession').length + activities(restart, 'runRowAttempt').length).toBe(2);
    expect(mine.filter((f) => f.file.startsWith('continue-as-new--executionJob')).length).toBe(2);
    expect(events(generation, 'cancelled', 'executionJob').at(-1)!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  });

  it('covers rows from before and after runStep could close the session', () => {
    // Before: a passed row gives its session back with a releaseSession activity. After: its last step does.
    const before = events('01-initial', 'passed', 'rowRun');
    expect(activities(before, 'releaseSession')).toHaveLength(1);
    const after = events('02-close-session-in-step', 'passed', 'rowRun');
    expect(activities(after, 'releaseSession')).toHaveLength(0);
    expect(activities(after, 'runStep').length).toBeGreaterThan(1);
  });

  it('covers rows from before and after rows stopped signalling the mirror themselves', () => {
    const signals = (evs: Event[]) => evs.filter((e) => e.eventType === 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
    const markers = (evs: Event[]) => evs.filter((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED');
    // Before: a row signals "running" and its end. After: the holder's worker and the job do, behind a patch.
    expect(signals(events('02-close-session-in-step', 'passed', 'rowRun'))).toHaveLength(2);
    const after = events('03-mirror-events-from-worker', 'passed', 'rowRun');
    expect(signals(after)).toHaveLength(0);
    expect(markers(after)).toHaveLength(1);
    // The cancelled job's never-started row goes out behind the same patch.
    expect(markers(events('03-mirror-events-from-worker', 'cancelled', 'executionJob'))).toHaveLength(1);
  });

  it('covers rows from before and after session leases', () => {
    // Before: a holder activity and one activity per step. After: one activity per session, behind a patch.
    const before = events('03-mirror-events-from-worker', 'passed', 'rowRun');
    expect(activities(before, 'holdSession')).toHaveLength(1);
    expect(activities(before, 'runStep').length).toBeGreaterThan(1);
    const after = events('04-session-lease', 'passed', 'rowRun');
    expect(activities(after, 'holdSession')).toHaveLength(0);
    expect(activities(after, 'runStep')).toHaveLength(0);
    expect(activities(after, 'runRowAttempt')).toHaveLength(1);
    expect(patchIds(after)).toEqual([SESSION_LEASE_PATCH]);
  });

  it('covers rows from before and after the job started them as csvRow, which records no patch marker', () => {
    const childTypes = (evs: Event[]) => childWorkflowTypes(evs).filter((name) => name === 'rowRun' || name === 'csvRow');
    expect(childTypes(events('09-scheduled-run-and-run-events', 'passed', 'executionJob'))).toEqual(['rowRun']);
    expect(patchIds(events('09-scheduled-run-and-run-events', 'passed', 'rowRun'))).toEqual([SESSION_LEASE_PATCH]);
    const job = events('10-csv-row-workflow', 'passed', 'executionJob');
    expect(childTypes(job)).toEqual(['csvRow']);
    expect(patchIds(job).filter((id) => id === CSV_ROW_WORKFLOW_PATCH)).toHaveLength(1);
    const row = events('10-csv-row-workflow', 'passed', 'csvRow');
    expect(patchIds(row)).toEqual([]);
    expect(activities(row, 'runRowAttempt')).toHaveLength(1);
  });

  it('covers jobs from before and after they kept their search attributes current', () => {
    type Upsert = Event & {
      upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes: { indexedFields: Record<string, { data: string }> } };
    };
    const upserted = (evs: Upsert[]) =>
      evs
        .filter((e) => e.eventType === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES')
        .flatMap((e) => Object.entries(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes.indexedFields))
        .filter(([name]) => name !== 'TemporalChangeVersion')
        .map(([name, { data }]) => `${name}=${Buffer.from(data, 'base64').toString()}`);
    expect(upserted(events('04-session-lease', 'failed', 'executionJob'))).toEqual([]);
    const after = upserted(events('05-search-attributes', 'failed', 'executionJob'));
    expect(after).toContain('RunStatus="running"');
    expect(after).toContain('RowsFailed=1');
    expect(after.at(-1)).toBe('RunStatus="failed"');
    expect(upserted(events('05-search-attributes', 'cancelled', 'executionJob')).at(-1)).toBe('RunStatus="cancelled"');
  });

  it('covers jobs from before and after priority and fairness reached rows and their sessions', () => {
    type WithPriority = Event & Record<string, { priority?: { priorityKey?: number; fairnessKey?: string } } | undefined>;
    const priorities = (evs: Event[], type: string, attributes: string) =>
      (evs as WithPriority[]).filter((e) => e.eventType === type).map((e) => e[attributes]?.priority ?? null);
    const childStart = [
      'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      'startChildWorkflowExecutionInitiatedEventAttributes',
    ] as const;
    const session = ['EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', 'activityTaskScheduledEventAttributes'] as const;
    expect(priorities(events('04-session-lease', 'passed', 'executionJob'), ...childStart)).toEqual([null, null]);
    expect(priorities(events('04-session-lease', 'passed', 'rowRun'), ...session)).toEqual([null]);
    const job = events('06-priority', 'passed', 'executionJob');
    const expected = { priorityKey: 2, fairnessKey: 'histories' };
    // The job's mirror starts before the patch point and keeps the default; the row carries the job's priority.
    expect(priorities(job, ...childStart)).toContainEqual(expected);
    expect(priorities(events('06-priority', 'passed', 'rowRun'), ...session)).toEqual([expected]);
    expect(patchIds(job)).toContain(TASK_QUEUE_PRIORITY_PATCH);
  });

  it('covers jobs that notify: one abandoned delivery child per event asked for, delivered by one activity', () => {
    const childTypes = (evs: Event[]) => childWorkflowTypes(evs).filter((name) => name === 'notificationDelivery');
    expect(childTypes(events('04-session-lease', 'failed', 'executionJob'))).toHaveLength(0);
    // started, the failed row, ended.
    expect(childTypes(events('06-priority', 'failed', 'executionJob'))).toHaveLength(3);
    expect(activities(events('06-priority', 'failed', 'notificationDelivery'), 'deliverNotification')).toHaveLength(1);
  });

  it.each(fixtures.map((f) => [`${f.generation}/${f.file}`, f.json, f.workflowId]))(
    '%s replays without nondeterminism',
    async (file, history, workflowId) => {
      await Worker.runReplayHistory({ workflowBundle: { codePath: testState().bundlePath } }, history, String(workflowId ?? file));
    },
  );
});
