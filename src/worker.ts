/**
 * Worker process (`npm start`): connects to TEMPORAL_ADDRESS, or starts the embedded dev server (persisted
 * under .temporal/, payloads encrypted, Web UI wired to a codec endpoint) when none is set, and runs rows until
 * SIGTERM/SIGINT drain it.
 */
import { resolve } from 'node:path';
import { startApi } from './api/start-api';
import { loadEnv } from './config/env';
import { createLogger } from './logging/logger';
import { codecServerOrigins, startCodecServer } from './temporal/codec-server';
import { startEmbeddedTemporal } from './temporal/embedded-temporal';
import { payloadEncryptionCodec } from './temporal/payload-encryption';
import { startRunnerWorker } from './worker/runner-worker';
import { serveWorkerHealth } from './worker/serve-health';

/** Against a real server: a codec endpoint for its Web UI and CLI only when CODEC_SERVER_PORT asks for one. */
async function startOwnCodecServer(env: ReturnType<typeof loadEnv>, logger: ReturnType<typeof createLogger>) {
  if (!env.CODEC_SERVER_PORT) return undefined;
  const codec = payloadEncryptionCodec(env);
  if (!codec) {
    logger.warn('CODEC_SERVER_PORT is set but encryption is off (TEMPORAL_PAYLOAD_ENCRYPTION=off): no codec server');
    return undefined;
  }
  return startCodecServer({
    codec,
    port: env.CODEC_SERVER_PORT,
    host: env.CODEC_SERVER_HOST,
    allowedOrigins: codecServerOrigins(env),
    logger,
  });
}

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ level: env.LOG_LEVEL });
  // Before anything starts: a real server without a key is refused here, with how to make one.
  payloadEncryptionCodec(env);
  const embedded = env.TEMPORAL_ADDRESS ? undefined : await startEmbeddedTemporal(env, logger);
  const codecServer = embedded ? undefined : await startOwnCodecServer(env, logger);
  const codecUrl = embedded?.codecUrl ?? codecServer?.url;
  if (codecUrl) logger.info({ url: codecUrl }, 'codec server listening: the Web UI shows decrypted payloads');
  const address = env.TEMPORAL_ADDRESS ?? embedded!.address;
  if (embedded?.uiUrl) logger.info(`Temporal Web UI: ${embedded.uiUrl}`);
  const worker = await startRunnerWorker({
    env,
    address,
    logger,
    workflowBundle: env.WORKFLOW_BUNDLE_PATH ? { codePath: resolve(env.WORKFLOW_BUNDLE_PATH) } : undefined,
  });

  // The embedded default serves the Runs API too (API_PORT, 0: off); against a real server run `npm run api`.
  // Like the health server: a taken port leaves the worker running, without the API, and says so.
  const api =
    embedded && env.API_PORT
      ? await startApi(env, address, logger).catch((err: Error) => {
          logger.error({ err: err.message, port: env.API_PORT }, 'Runs API not started (set API_PORT, or 0 for none)');
          return undefined;
        })
      : undefined;

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
  await api?.close();
  await health?.close();
  await codecServer?.close();
  await embedded?.stop();
  // Drained and closed: exit now rather than wait for stray handles (Chromium pipes, timers) to unref.
  process.exit(0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
