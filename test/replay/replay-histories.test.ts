import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/support/tools';
import { testState } from '../support/harness';

/**
 * Determinism guard: histories of real executions (scripts/record-histories.ts) replayed against the current
 * workflow code. A change that would break jobs already running fails here, before it reaches a worker.
 */
const DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
const generations = readdirSync(DIR).sort();
const fixtures = generations.flatMap((generation) =>
  readdirSync(join(DIR, generation))
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ generation, file, json: JSON.parse(readFileSync(join(DIR, generation, file), 'utf8')) })),
);

type Event = {
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
};
const events = (generation: string, name: string, type: string): Event[] =>
  fixtures.find((f) => f.generation === generation && f.file.startsWith(`${name}--${type}--`))!.json.events;
const activities = (evs: Event[], name: string) => evs.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name);

describe('workflow histories replay against the current code', () => {
  it.each(generations)('generation %s has every representative execution', (generation) => {
    const mine = fixtures.filter((f) => f.generation === generation);
    const kinds = new Set(mine.map((f) => f.file.split('--')[0]));
    expect([...kinds].sort()).toEqual(['cancelled', 'continue-as-new', 'failed', 'passed', 'session-restart']);
    // The fixtures show what they claim to.
    expect(activities(events(generation, 'session-restart', 'rowRun'), 'holdSession').length).toBe(2);
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

  it.each(fixtures.map((f) => [`${f.generation}/${f.file}`, f.json]))('%s replays without nondeterminism', async (file, history) => {
    await Worker.runReplayHistory({ workflowBundle: { codePath: testState().bundlePath } }, history, String(file));
  });
});
