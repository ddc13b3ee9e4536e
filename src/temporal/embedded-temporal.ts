/**
 * The embedded default (`npm start`, `npm run demo` with no TEMPORAL_ADDRESS): the dev server persisted under
 * .temporal/, payloads encrypted with the key kept beside it (payload-key.ts), and a codec endpoint on
 * 127.0.0.1 that its Web UI is pointed at, so the local operator reads payloads in clear while the database
 * holds ciphertext.
 */
import { resolve } from 'node:path';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { codecServerOrigins, startCodecServer } from './codec-server';
import { startDevServer } from './dev-server';
import { payloadEncryptionCodec } from './payload-encryption';

export interface EmbeddedTemporal {
  address: string;
  uiUrl?: string;
  /** The codec endpoint the Web UI uses; absent with TEMPORAL_PAYLOAD_ENCRYPTION=off. */
  codecUrl?: string;
  stop(): Promise<void>;
}

export async function startEmbeddedTemporal(env: Env, logger?: Logger): Promise<EmbeddedTemporal> {
  const codec = payloadEncryptionCodec(env);
  // CODEC_SERVER_PORT 0 here means "any free port": the Web UI is told where it is when it starts.
  const codecServer = codec
    ? await startCodecServer({
        codec,
        port: env.CODEC_SERVER_PORT,
        host: env.CODEC_SERVER_HOST,
        allowedOrigins: codecServerOrigins(env),
        logger,
      })
    : undefined;
  try {
    const devServer = await startDevServer({
      dbFilename: resolve(env.TEMPORAL_DEV_DB),
      port: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      uiCodecEndpoint: codecServer?.url,
      logger,
    });
    return {
      address: devServer.address,
      uiUrl: devServer.uiUrl,
      codecUrl: codecServer?.url,
      async stop() {
        await devServer.stop();
        await codecServer?.close();
      },
    };
  } catch (err) {
    await codecServer?.close();
    throw err;
  }
}
