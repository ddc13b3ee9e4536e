/**
 * The job watch against the real (dev) server's visibility store: a job past its jobDeadline memo and a mirror
 * outbox whose job is not running are counted; a job within its deadline is not. No worker polls the queue
 * used here, so the workflows stay running exactly as started.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { JOB_DEADLINE_MEMO, sampleJobs } from '../../src/ops/job-watch';
import { executionWorkflowId, mirrorWorkflowId } from '../../src/workflows/definitions';
import { testState } from '../support/harness';
import { waitFor } from '../support/processes';

describe('job watch (Temporal visibility)', () => {
  let connection: Connection;
  let client: Client;
  const started: string[] = [];
  beforeAll(async () => {
    connection = await Connection.connect({ address: testState().address });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await Promise.all(
      started.map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
    await connection.close();
  });

  const start = async (workflowType: string, workflowId: string, memo?: Record<string, unknown>) => {
    await client.workflow.start(workflowType, { workflowId, taskQueue: `unpolled-${randomUUID()}`, args: [], memo });
    started.push(workflowId);
  };

  it('counts running jobs, jobs past their deadline and outboxes whose job has ended', async () => {
    const before = await sampleJobs(client);
    const overdue = `watch-${randomUUID().slice(0, 8)}`;
    const onTime = `watch-${randomUUID().slice(0, 8)}`;
    await start('executionJob', executionWorkflowId(overdue), { [JOB_DEADLINE_MEMO]: Date.now() - 60_000 });
    await start('executionJob', executionWorkflowId(onTime), { [JOB_DEADLINE_MEMO]: Date.now() + 3_600_000 });
    await start('jobMirror', mirrorWorkflowId(onTime)); // its job runs: no backlog
    await start('jobMirror', mirrorWorkflowId(`ended-${randomUUID().slice(0, 8)}`)); // no job: backlog

    let after = before;
    await waitFor(
      'visibility to list the new workflows',
      async () => {
        after = await sampleJobs(client);
        return after.jobsRunning - before.jobsRunning >= 2 && after.outboxBacklog - before.outboxBacklog >= 1;
      },
      20_000,
      250,
    );
    expect({
      jobsRunning: after.jobsRunning - before.jobsRunning,
      jobsOverTimeout: after.jobsOverTimeout - before.jobsOverTimeout,
      outboxBacklog: after.outboxBacklog - before.outboxBacklog,
    }).toEqual({ jobsRunning: 2, jobsOverTimeout: 1, outboxBacklog: 1 });
  });
});
