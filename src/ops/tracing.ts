/**
 * OpenTelemetry tracing through client → workflow → activity, exported over OTLP (http/json) to
 * OTEL_EXPORTER_OTLP_ENDPOINT. Unset, nothing here runs: no provider, no interceptors, no workflow module in
 * the bundle, and startStepSpan() returns a span that does nothing.
 *
 * One process-wide tracer provider (a worker process and the client it holds share it). The SDK's
 * interceptors carry the trace in Temporal headers: the client's start span is the parent of the job's
 * workflow span, each workflow span the parent of the activities and child workflows it schedules, and an
 * activity's span is the active context while it runs, so a step span started inside an activity nests under it.
 * Workflow spans leave the workflow sandbox through the `exporter` sink (workerOptions.sinks).
 */
import { context, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import type { WorkerOptions, WorkflowBundleOption } from '@temporalio/worker';
import type { Env } from '../config/env';

const TRACER_NAME = 'recorder-runner';

/** The workflow interceptor module: bundled into the workflow code only when tracing is on. */
export const TRACING_WORKFLOW_MODULES = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
/** The workflow-side tracer's name, present in a bundle's code when it was built with TRACING_WORKFLOW_MODULES. */
const WORKFLOW_TRACER_MARK = '@temporalio/interceptor-workflow';

export interface Tracing {
  /**
   * Spread into Worker.create: workflow and activity interceptors, and the sink workflow spans leave through.
   * Pass the worker's prebuilt workflow bundle, if any: it must have been built with the workflow interceptor
   * (throws a specific error otherwise), which the SDK then takes from the bundle.
   */
  workerOptions(workflowBundle?: WorkflowBundleOption): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>>;
  /** ClientOptions.interceptors: a span per start/signal/query, whose context the workflow continues. */
  clientInterceptors: ClientInterceptors;
  /** Exports the spans still buffered (call before the process exits). */
  flush(): Promise<void>;
}

type TracingEnv = Pick<Env, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>;

let installed: { endpoint: string; tracing: Tracing } | undefined;

/** OTLP/HTTP's traces path under the collector's base URL (as the OTLP exporter spec derives it). */
export function otlpTracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}

/**
 * The process's tracing, or undefined when OTEL_EXPORTER_OTLP_ENDPOINT is unset. Installs the global tracer
 * provider on first call; later calls return the same instance (one exporter per process).
 */
export function processTracing(env: TracingEnv): Tracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  if (installed) {
    if (installed.endpoint !== endpoint) throw new Error(`tracing already exports to ${installed.endpoint}, not ${endpoint}`);
    return installed.tracing;
  }
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME });
  const processor: SpanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(endpoint) }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // Registers the AsyncLocalStorage context manager too: an activity's span stays active across its awaits.
  provider.register();
  const tracer = provider.getTracer(TRACER_NAME);
  const activity: NonNullable<WorkerOptions['interceptors']>['activity'] = [
    (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
  ];
  const sinks = { exporter: makeWorkflowExporter(processor, resource) };
  const tracing: Tracing = {
    workerOptions(workflowBundle) {
      if (!workflowBundle) return { interceptors: { workflowModules: TRACING_WORKFLOW_MODULES, activity }, sinks };
      assertBundleTraces(workflowBundle);
      return { interceptors: { activity }, sinks };
    },
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] },
    flush: () => provider.forceFlush(),
  };
  installed = { endpoint, tracing };
  return tracing;
}

/**
 * A prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH) carries its interceptors from build time: tracing a
 * worker whose bundle lacks the workflow interceptor would cut every trace at the workflow. Throws a
 * specific error instead (build one with `bundle-workflows.js --tracing`).
 */
function assertBundleTraces(bundle: WorkflowBundleOption): void {
  const [code, name] = 'codePath' in bundle ? [readFileSync(bundle.codePath, 'utf8'), bundle.codePath] : [bundle.code, '(in memory)'];
  if (!code.includes(WORKFLOW_TRACER_MARK)) {
    throw new Error(
      `OTEL_EXPORTER_OTLP_ENDPOINT is set but the workflow bundle ${name} was built without tracing: ` +
        'rebuild it with `node dist/src/ops/bundle-workflows.js --tracing` or unset WORKFLOW_BUNDLE_PATH',
    );
  }
}

/** A span that the caller ends: one step attempt's browser work, begun and ended by its events. */
export interface StepSpan {
  /** Ends the span; an error type (never a message: it may hold row values) marks it failed. */
  end(outcome?: { errorType?: string }): void;
}

const NO_SPAN: StepSpan = { end: () => undefined };

/**
 * Starts a span for one step attempt, a child of the running activity's span (so of the row's trace).
 * `name` is low-cardinality (e.g. `step:click`); attributes carry identifiers such as `recorder.job_id`,
 * `recorder.row`, `recorder.step_index`, never row values. With tracing off it costs nothing.
 */
export function startStepSpan(name: string, attributes: Attributes): StepSpan {
  if (!installed) return NO_SPAN;
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { attributes }, context.active());
  return {
    end(outcome) {
      if (outcome?.errorType) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorType });
      span.end();
    },
  };
}
