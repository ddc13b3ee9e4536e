import { readFileSync } from 'node:fs';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { Env } from '../config/env';

/** Connection options shared by the worker (NativeConnection) and the client (Connection): local, API key or mTLS. */
export function temporalConnectionOptions(env: Env, address: string): NativeConnectionOptions & { address: string } {
  const mtls = env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH;
  const tls =
    mtls || env.TEMPORAL_TLS || env.TEMPORAL_API_KEY
      ? {
          clientCertPair: mtls
            ? { crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH!), key: readFileSync(env.TEMPORAL_TLS_KEY_PATH!) }
            : undefined,
          serverRootCACertificate: env.TEMPORAL_TLS_CA_PATH ? readFileSync(env.TEMPORAL_TLS_CA_PATH) : undefined,
        }
      : undefined;
  return {
    address,
    tls,
    apiKey: env.TEMPORAL_API_KEY,
    metadata: env.TEMPORAL_API_KEY ? { 'temporal-namespace': env.TEMPORAL_NAMESPACE } : undefined,
  };
}
