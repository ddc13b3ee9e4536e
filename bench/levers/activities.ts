import { Context } from '@temporalio/activity';

/** A step that does nothing: what is left is Temporal's cost. */
export async function step(index: number): Promise<number> {
  return index;
}

export async function allSteps(steps: number): Promise<number> {
  for (let i = 0; i < steps; i++) Context.current().heartbeat({ stepIndex: i });
  return steps;
}
