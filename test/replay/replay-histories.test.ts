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
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, json: JSON.parse(readFileSync(join(DIR, file), 'utf8')) }));

type Event = { eventType: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } };
const events = (name: string, type: string): Event[] => fixtures.find((f) => f.file.startsWith(`${name}--${type}--`))!.json.events;

describe('workflow histories replay against the current code', () => {
  it('has every representative execution', () => {
    const kinds = new Set(fixtures.map((f) => f.file.split('--')[0]));
    expect([...kinds].sort()).toEqual(['cancelled', 'continue-as-new', 'failed', 'passed', 'session-restart']);
    // The fixtures show what they claim to.
    const holds = events('session-restart', 'rowRun').filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'holdSession',
    );
    expect(holds.length).toBe(2);
    expect(fixtures.filter((f) => f.file.startsWith('continue-as-new--executionJob')).length).toBe(2);
    expect(events('cancelled', 'executionJob').at(-1)!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  });

  it.each(fixtures.map((f) => [f.file, f.json]))('%s replays without nondeterminism', async (file, history) => {
    await Worker.runReplayHistory({ workflowBundle: { codePath: testState().bundlePath } }, history, String(file));
  });
});
