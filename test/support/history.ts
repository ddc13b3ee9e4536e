import type { Client } from '@temporalio/client';

/** Every run (continue-as-new generation) of a workflow id, with its history length, oldest first. */
export async function runsOf(client: Client, workflowId: string): Promise<Array<{ runId: string; events: number }>> {
  const runs: Array<{ runId: string; events: number; start: number }> = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, wf.runId).fetchHistory();
    runs.push({ runId: wf.runId, events: history.events?.length ?? 0, start: wf.startTime.getTime() });
  }
  return runs.sort((a, b) => a.start - b.start).map(({ runId, events }) => ({ runId, events }));
}
