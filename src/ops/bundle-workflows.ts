/**
 * Pre-bundles the workflow code at image build time:
 *   node dist/src/ops/bundle-workflows.js [workflowsPath] [outFile]
 * (defaults: src/workflows/index.ts, dist/workflow-bundle.js, relative to the working directory).
 *
 * A worker started with `workflowBundle: { codePath }` skips webpack at startup: seconds faster and a few
 * hundred MB less peak memory per replica, and no TypeScript sources needed at run time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export async function bundleWorkflows(workflowsPath: string, outFile: string): Promise<{ outFile: string; bytes: number }> {
  const { code } = await bundleWorkflowCode({ workflowsPath: resolve(workflowsPath) });
  const target = resolve(outFile);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  return { outFile: target, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  const [workflowsPath = 'src/workflows/index.ts', outFile = 'dist/workflow-bundle.js'] = process.argv.slice(2);
  bundleWorkflows(workflowsPath, outFile).then(
    ({ outFile: file, bytes }) => console.log(`workflow bundle: ${file} (${Math.round(bytes / 1024)} KiB)`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
