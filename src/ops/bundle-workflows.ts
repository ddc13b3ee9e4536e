/**
 * Pre-bundles the workflow code at image build time:
 *   node dist/src/ops/bundle-workflows.js [--tracing] [workflowsPath] [outFile]
 * (defaults: src/workflows/index.ts, dist/workflow-bundle.js, relative to the working directory).
 * --tracing bundles OpenTelemetry's workflow interceptor, which a worker with OTEL_EXPORTER_OTLP_ENDPOINT needs.
 *
 * A worker started with `workflowBundle: { codePath }` skips webpack at startup: seconds faster and a few
 * hundred MB less peak memory per replica, and no TypeScript sources needed at run time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULES } from './tracing';

export async function bundleWorkflows(
  workflowsPath: string,
  outFile: string,
  opts: { tracing?: boolean; logger?: Logger } = {},
): Promise<{ outFile: string; bytes: number }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: resolve(workflowsPath),
    workflowInterceptorModules: opts.tracing ? TRACING_WORKFLOW_MODULES : undefined,
    logger: opts.logger,
  });
  const target = resolve(outFile);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  return { outFile: target, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const [workflowsPath = 'src/workflows/index.ts', outFile = 'dist/workflow-bundle.js'] = args.filter((a) => a !== '--tracing');
  bundleWorkflows(workflowsPath, outFile, { tracing: args.includes('--tracing') }).then(
    ({ outFile: file, bytes }) => console.log(`workflow bundle: ${file} (${Math.round(bytes / 1024)} KiB)`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
