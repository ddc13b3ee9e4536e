/**
 * The configuration files of the rehearsal's Temporal server (YAML, the layout of the server's own
 * config/development-postgres12.yaml) and of the standalone Web UI server.
 */

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;

export function serverConfig(opts: {
  databases: [string, string];
  ports: Record<string, number>;
  metricsPort: number;
  dynamicConfig: string;
}): string {
  const store = (db: string, conns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: "${PG.host}:${PG.port}"
        connectProtocol: tcp
        user: ${PG.user}
        password: ""
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const service = (name: (typeof SERVICES)[number]) => `  ${name}:
    rpc:
      grpcPort: ${opts.ports[`${name}.grpc`]}
      membershipPort: ${opts.ports[`${name}.membership`]}
      bindOnLocalHost: true${name === 'frontend' ? `\n      httpPort: ${opts.ports['frontend.http']}` : ''}`;
  return `# Written by scripts/rehearsal/temporal-cluster.ts: Temporal's server on PostgreSQL with SQL visibility.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
${store(opts.databases[0], 20)}
    visibility:
${store(opts.databases[1], 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:${opts.metricsPort}"
services:
${SERVICES.map(service).join('\n')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${opts.ports['frontend.grpc']}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${opts.dynamicConfig}"
  pollInterval: 10s
`;
}

export function uiConfig(opts: { address: string; port: number; namespace: string }): string {
  return `temporalGrpcAddress: ${opts.address}
host: 127.0.0.1
port: ${opts.port}
enableUi: true
defaultNamespace: ${opts.namespace}
cors:
  cookieInsecure: true
  allowOrigins:
    - http://127.0.0.1:${opts.port}
`;
}
