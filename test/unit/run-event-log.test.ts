import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunEvents, RunEventLog, runEventsFile, type RunEvent } from '../../src/results/run-events';

const step = (row: number, stepIndex: number): RunEvent => ({
  type: 'step',
  row,
  sessionAttempt: 0,
  stepIndex,
  stepType: 'click',
  attempt: 1,
  event: 'passed',
  at: stepIndex,
});

describe('RunEventLog', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'run-events-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every event of a job, in the order appended, when many arrive while a write is in flight', async () => {
    const log = new RunEventLog(dir);
    const appended: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) appended.push(log.append('job-a', step(1 + (i % 4), i)));
    await Promise.all(appended);
    const { events } = await readRunEvents(runEventsFile(dir, 'job-a'), 0);
    expect(events.map((e) => (e.type === 'step' ? e.stepIndex : -1))).toEqual([...Array(200).keys()]);
  });

  it('resolves an append only once its line is on disk, and keeps jobs apart', async () => {
    const log = new RunEventLog(dir);
    await log.append('job-a', step(1, 0));
    expect(readFileSync(runEventsFile(dir, 'job-a'), 'utf8').trim().split('\n')).toHaveLength(1);
    void log.append('job-b', step(2, 0));
    void log.append('job-a', step(1, 1));
    await log.flush();
    expect(readFileSync(runEventsFile(dir, 'job-a'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readFileSync(runEventsFile(dir, 'job-b'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('keeps the file open between writes and opens it again after close()', async () => {
    const log = new RunEventLog(dir);
    await log.append('job-a', step(1, 0));
    await log.append('job-a', step(1, 1));
    await log.close();
    await log.append('job-a', step(1, 2));
    await log.close();
    const { events } = await readRunEvents(runEventsFile(dir, 'job-a'), 0);
    expect(events.map((e) => (e.type === 'step' ? e.stepIndex : -1))).toEqual([0, 1, 2]);
  });
});
