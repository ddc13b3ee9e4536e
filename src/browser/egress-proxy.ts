/**
 * The navigation policy for a browser that runs no PAC script (Chromium's headless shell): an HTTP proxy in the
 * worker that every request of the browser goes through (`--proxy-server`). It resolves each host once, refuses
 * it when the name, or any address it resolves to, is not allowed (url-policy.ts: the rules the PAC script
 * applies in the full browser), and otherwise connects to an address it checked, so a name cannot resolve to
 * something else between the check and the connection. Loopback and link-local hosts never reach a proxy (the
 * browser's implicit bypass): the host resolver rules refuse those (chromium-policy.ts), in both browsers.
 *
 * A refused HTTPS or WebSocket tunnel answers 403 (the request fails with net::ERR_TUNNEL_CONNECTION_FAILED); a
 * refused plain-HTTP request is cut (net::ERR_EMPTY_RESPONSE). Either way `refusedRecently` tells the
 * navigation guard that the failure was the policy's.
 */
import { lookup } from 'node:dns/promises';
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { blockReason, type HostPolicy } from './url-policy';

/** How long a refusal is remembered for the guard of the context that made the request. */
const REMEMBER_MS = 5_000;

export class EgressProxy {
  private readonly refused = new Map<string, { reason: string; at: number }>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly sockets = new Set<Socket | Duplex>();

  private constructor(
    private readonly server: Server,
    private readonly policy: HostPolicy,
    readonly url: string,
  ) {}

  static async start(policy: HostPolicy): Promise<EgressProxy> {
    const server = createServer();
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    const proxy = new EgressProxy(server, policy, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void proxy.forward(req, res));
    server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => void proxy.tunnel(req, socket, head));
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    return proxy;
  }

  /** Why the policy refused `host` in the last few seconds, if it did. */
  refusedRecently(host: string): string | undefined {
    const hit = this.refused.get(host.toLowerCase());
    return hit && Date.now() - hit.at < REMEMBER_MS ? hit.reason : undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  /** The address to connect to, or the reason the policy refuses the host. */
  private async decide(hostname: string): Promise<{ address: string } | { reason: string }> {
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const named = blockReason(host, this.policy);
    if (named) return this.refuse(host, named);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return { reason: `host ${host} does not resolve` };
    }
    for (const address of addresses) {
      const reason = blockReason(address, { ...this.policy, allowed: undefined });
      if (reason) return this.refuse(host, `host ${host} resolves to ${address}: ${reason}`);
    }
    return { address: addresses[0] };
  }

  private refuse(host: string, reason: string): { reason: string } {
    if (this.refused.size > 1000) this.refused.clear();
    this.refused.set(host, { reason, at: Date.now() });
    return { reason };
  }

  /** HTTPS and WebSocket traffic: CONNECT host:port, then bytes both ways. */
  private async tunnel(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const target = new URL(`http://${req.url}`);
    const decision = await this.decide(target.hostname);
    if ('reason' in decision) {
      client.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = connect(Number(target.port || 443), decision.address);
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
    });
    client.once('close', () => upstream.destroy());
  }

  /** Plain HTTP: the browser sends the absolute URL; the request goes on to the address that was checked. */
  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const decision = await this.decide(target.hostname);
    if ('reason' in decision) {
      req.socket.destroy();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: decision.address,
        port: Number(target.port || 80),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
        setHost: false,
        agent: this.agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  }
}
