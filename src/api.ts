/**
 * Runs API process (`npm run api`): serves /api/v1/runs against TEMPORAL_ADDRESS (default the embedded dev
 * server's 127.0.0.1:TEMPORAL_DEV_PORT) on API_HOST:API_PORT, until SIGTERM/SIGINT. Workers run elsewhere
 * (`npm start`); the two share RESULTS_DIR (results and live event files).
 */
import { startApi } from './api/start-api';
import { loadEnv } from './config/env';
import { createLogger } from './logging/logger';
import { payloadEncryptionCodec } from './temporal/payload-encryption';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ level: env.LOG_LEVEL });
  payloadEncryptionCodec(env);
  if (!env.API_PORT) throw new Error('API_PORT is 0: set the port the Runs API listens on');
  const api = await startApi(env, env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`, logger);
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
