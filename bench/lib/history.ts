/**
 * Reads Temporal histories for timings seen by the server: when each workflow task and activity task was
 * scheduled, picked up by a worker and completed. The dev server runs on this machine, so its event times and
 * Date.now() here share one clock.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

/** Event types (temporal.api.enums.v1.EventType). */
export const EV = {
  WorkflowExecutionStarted: 1,
  WorkflowTaskScheduled: 5,
  WorkflowTaskStarted: 6,
  WorkflowTaskCompleted: 7,
  ActivityTaskScheduled: 10,
  ActivityTaskStarted: 11,
  ActivityTaskCompleted: 12,
  ActivityTaskFailed: 13,
  ActivityTaskCanceled: 16,
  WorkflowExecutionSignaled: 26,
  StartChildWorkflowExecutionInitiated: 29,
  ChildWorkflowExecutionStarted: 31,
  ChildWorkflowExecutionCompleted: 32,
} as const;

type Int64 = number | { toString(): string } | null | undefined;
const num = (v: Int64): number => (v === null || v === undefined ? NaN : Number(String(v)));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

export interface Ev {
  id: number;
  type: number;
  t: number;
  raw: Raw;
}

export async function fetchEvents(client: Client, workflowId: string): Promise<Ev[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e: Raw) => ({
    id: num(e.eventId),
    type: Number(e.eventType),
    t: num(e.eventTime?.seconds) * 1000 + Number(e.eventTime?.nanos ?? 0) / 1e6,
    raw: e,
  }));
}

export interface ActivityTiming {
  name: string;
  /** Time of the event that made the workflow act: the event just before the workflow task was scheduled. */
  trigger: number;
  wftScheduled: number;
  wftStarted: number;
  /** The workflow task completed; the activity is scheduled in the same instant. */
  scheduled: number;
  started?: number;
  closed?: number;
  status: 'completed' | 'failed' | 'canceled' | 'open';
  attempt?: number;
  result?: unknown;
}

/** Every activity of a workflow in schedule order, with the workflow task that scheduled it. */
export function activityTimings(events: Ev[]): ActivityTiming[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  const out = new Map<number, ActivityTiming>();
  for (const e of events) {
    if (e.type === EV.ActivityTaskScheduled) {
      const a = e.raw.activityTaskScheduledEventAttributes;
      const wftCompleted = byId.get(num(a.workflowTaskCompletedEventId));
      const wa = wftCompleted?.raw.workflowTaskCompletedEventAttributes;
      const wftScheduled = byId.get(num(wa?.scheduledEventId));
      const wftStarted = byId.get(num(wa?.startedEventId));
      const before = wftScheduled ? byId.get(wftScheduled.id - 1) : undefined;
      out.set(e.id, {
        name: a.activityType?.name ?? '?',
        trigger: before?.t ?? wftScheduled?.t ?? e.t,
        wftScheduled: wftScheduled?.t ?? e.t,
        wftStarted: wftStarted?.t ?? e.t,
        scheduled: e.t,
        status: 'open',
      });
    } else if (e.type === EV.ActivityTaskStarted) {
      const a = e.raw.activityTaskStartedEventAttributes;
      const t = out.get(num(a.scheduledEventId));
      if (t) {
        t.started = e.t;
        t.attempt = Number(a.attempt ?? 1);
      }
    } else if (e.type === EV.ActivityTaskCompleted || e.type === EV.ActivityTaskFailed || e.type === EV.ActivityTaskCanceled) {
      const a = e.raw.activityTaskCompletedEventAttributes ?? e.raw.activityTaskFailedEventAttributes ?? e.raw.activityTaskCanceledEventAttributes;
      const t = out.get(num(a.scheduledEventId));
      if (!t) continue;
      t.closed = e.t;
      t.status = e.type === EV.ActivityTaskCompleted ? 'completed' : e.type === EV.ActivityTaskFailed ? 'failed' : 'canceled';
      const payload = a.result?.payloads?.[0];
      if (payload) {
        try {
          t.result = defaultPayloadConverter.fromPayload(payload);
        } catch {
          // not JSON: leave it out
        }
      }
    }
  }
  return [...out.values()];
}

export const firstOf = (events: Ev[], type: number): Ev | undefined => events.find((e) => e.type === type);
