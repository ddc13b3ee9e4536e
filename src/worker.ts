/**
 * Worker process (`npm start`): connects to TEMPORAL_ADDRESS, or starts the embedded dev server (persisted
 * under .temporal/) when none is set, and runs rows until SIGTERM/SIGINT drain it.
 */
import { resolve } from 'node:path';
import { loadEnv } from './config/env';
import { createLogger } from './logging/logger';
import { startCodecServer } from './temporal/codec-server';
import { startDevServer } from './temporal/dev-server';
import { payloadEncryptionCodec } from './temporal/payload-encryption';
import { startRunnerWorker } from './worker/runner-worker';
import { serveWorkerHealth } from './worker/serve-health';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ level: env.LOG_LEVEL });
  let address = env.TEMPORAL_ADDRESS;
  const codec = env.CODEC_SERVER_PORT ? payloadEncryptionCodec(env) : undefined;
  if (env.CODEC_SERVER_PORT && !codec) logger.warn('CODEC_SERVER_PORT is set but TEMPORAL_PAYLOAD_KEY is not: no codec server');
  const codecServer = codec
    ? await startCodecServer({
        codec,
        port: env.CODEC_SERVER_PORT,
        host: env.CODEC_SERVER_HOST,
        allowedOrigins: (env.CODEC_SERVER_ORIGINS ?? `http://127.0.0.1:${env.TEMPORAL_UI_PORT},http://localhost:${env.TEMPORAL_UI_PORT}`)
          .split(',')
          .map((o) => o.trim()),
        logger,
      })
    : undefined;
  if (codecServer) logger.info({ url: codecServer.url }, 'codec server listening: the Web UI shows decrypted payloads');
  const devServer = address
    ? undefined
    : await startDevServer({
        dbFilename: resolve(env.TEMPORAL_DEV_DB),
        port: env.TEMPORAL_DEV_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        uiCodecEndpoint: codecServer?.url,
        logger,
      });
  address ??= devServer!.address;
  if (devServer?.uiUrl) logger.info(`Temporal Web UI: ${devServer.uiUrl}`);
  const worker = await startRunnerWorker({
    env,
    address,
    logger,
    workflowBundle: env.WORKFLOW_BUNDLE_PATH ? { codePath: resolve(env.WORKFLOW_BUNDLE_PATH) } : undefined,
  });

  // A taken port (two local workers on the default 8080) must not kill a worker that is already polling:
  // it runs without probes and says so loudly; in a container each replica has its own port anyway.
  const health = await serveWorkerHealth(worker, env, logger).catch((err: Error) => {
    logger.error(
      { err: err.message, port: env.HEALTH_PORT },
      'health server not started: /health, /ready and /metrics unavailable (set HEALTH_PORT)',
    );
    return undefined;
  });
  if (health) logger.info({ port: health.port }, 'health server listening (/health, /ready, /metrics)');

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down gracefully');
    void worker.shutdown();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await worker.done;
  await health?.close();
  await codecServer?.close();
  await devServer?.stop();
  // Drained and closed: exit now rather than wait for stray handles (Chromium pipes, timers) to unref.
  process.exit(0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
