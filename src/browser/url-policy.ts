/**
 * What a recording's browser may load: the one place these rules live. Pure (no Playwright, no I/O), so the
 * client checks a recording's literal urls with exactly the rules the worker's browser enforces
 * (chromium-policy.ts turns them into Chromium flags, navigation-guard.ts attributes what Chromium blocked).
 *
 * - Top-level navigation: http:, https: and about:blank only. file:, javascript:, chrome:, view-source:, data:
 *   and every other scheme are refused.
 * - Hosts (every request, not only navigations): never one in BLOCKED_HOSTS; when ALLOWED_HOSTS is set, only
 *   those. Entries are names (`example.com`, `*.example.com` for its subdomains) or addresses and ranges
 *   (`169.254.169.254`, `10.0.0.0/8`, `fe80::/10`). Blocking 127.0.0.1 blocks `localhost` and `*.localhost`
 *   too; allowing it does not allow them (name them).
 *   IPv4-mapped IPv6 literals (`[::ffff:a9fe:a9fe]`) are always refused: they reach IPv4 hosts in a form no
 *   list entry names.
 */
import { BlockList, isIP } from 'node:net';

export const DEFAULT_BLOCKED_HOSTS = '169.254.0.0/16,fe80::/10,fd00:ec2::254,100.100.100.200,metadata.google.internal';

const NAVIGABLE_PROTOCOLS = new Set(['http:', 'https:']);
export const NAVIGABLE_DESCRIPTION = 'only http:, https: and about:blank';

export type HostEntry =
  | { kind: 'name'; entry: string; /** `*.example.com`: subdomains only */ pattern: string }
  | { kind: 'net'; entry: string; family: 4 | 6; address: string; prefix: number };

export interface HostPolicy {
  blocked: HostEntry[];
  /** Undefined: every host not blocked is allowed. */
  allowed?: HostEntry[];
}

export class HostListError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'HostListError';
  }
}

const MAX_PREFIX = { 4: 32, 6: 128 } as const;

/** `[::1]` → `::1`, trailing dot dropped, lowercase: the form Chromium's rules and the checks compare. */
export function bareHost(hostname: string): string {
  const lower = hostname.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

function parseEntry(raw: string, list: string): HostEntry | string {
  const entry = raw.trim().toLowerCase();
  const slash = entry.indexOf('/');
  const address = slash >= 0 ? entry.slice(0, slash) : bareHost(entry);
  const family = isIP(address);
  if (family === 4 || family === 6) {
    const prefix = slash >= 0 ? Number(entry.slice(slash + 1)) : MAX_PREFIX[family];
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > MAX_PREFIX[family] || (slash >= 0 && entry.slice(slash + 1) === '')) {
      return `${list}: "${raw.trim()}" has an invalid prefix length (0-${MAX_PREFIX[family]})`;
    }
    return { kind: 'net', entry, family, address, prefix };
  }
  if (slash >= 0) return `${list}: "${raw.trim()}" is not an IP range (address/prefix)`;
  if (entry === '*') return `${list}: "*" would match every host`;
  const wildcard = entry.startsWith('*.');
  const name = wildcard ? entry.slice(2) : entry;
  let canonical: string;
  try {
    canonical = new URL(`http://${name}/`).hostname;
  } catch {
    return `${list}: "${raw.trim()}" is not a host name, address or range`;
  }
  if (isIP(bareHost(canonical)) || name.includes('*') || canonical === '') {
    return `${list}: "${raw.trim()}" is not a host name, address or range (a wildcard is only "*.domain")`;
  }
  return { kind: 'name', entry, pattern: wildcard ? `*.${canonical}` : canonical };
}

/** Comma-separated entries; throws HostListError naming every bad one. */
export function parseHostList(text: string, list: string): HostEntry[] {
  const parsed = text
    .split(',')
    .filter((e) => e.trim() !== '')
    .map((e) => parseEntry(e, list));
  const problems = parsed.filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new HostListError(problems);
  return parsed as HostEntry[];
}

export interface HostPolicyInput {
  /** Default: DEFAULT_BLOCKED_HOSTS. `none` blocks nothing. */
  blockedHosts?: string;
  /** Unset or empty: every host that is not blocked. */
  allowedHosts?: string;
}

export function parseHostPolicy(input: HostPolicyInput = {}): HostPolicy {
  const problems: string[] = [];
  const parse = (text: string, list: string) => {
    try {
      return parseHostList(text, list);
    } catch (err) {
      problems.push(...(err as HostListError).problems);
      return [];
    }
  };
  const blockedText = input.blockedHosts?.trim() || DEFAULT_BLOCKED_HOSTS;
  const blocked = blockedText.toLowerCase() === 'none' ? [] : parse(blockedText, 'BLOCKED_HOSTS');
  const allowedText = input.allowedHosts?.trim() ? input.allowedHosts : undefined;
  const allowed = allowedText === undefined ? undefined : parse(allowedText, 'ALLOWED_HOSTS');
  // Blocked always wins; Chromium's resolver rules can only carve allowed addresses out whole (chromium-policy.ts),
  // so an allowed range that is also blocked is refused here rather than half-enforced there.
  for (const a of allowed ?? []) {
    const blockedBy = a.kind === 'net' ? blocked.find((b) => b.kind === 'net' && netsOverlap(a, b)) : undefined;
    const localBlocked = a.kind === 'name' && isLocalhostName(a.pattern) && blockReason('127.0.0.1', { blocked });
    if (blockedBy) problems.push(`ALLOWED_HOSTS: ${a.entry} overlaps BLOCKED_HOSTS ${blockedBy.entry}; remove it from one of them`);
    else if (localBlocked) problems.push(`ALLOWED_HOSTS: ${a.entry} is loopback, which BLOCKED_HOSTS blocks; remove it from one of them`);
  }
  if (problems.length > 0) throw new HostListError(problems);
  return { blocked, allowed };
}

export const isLocalhostName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

function nameMatches(host: string, pattern: string): boolean {
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern;
}

function blockListOf(entries: HostEntry[]): BlockList {
  const list = new BlockList();
  for (const e of entries) if (e.kind === 'net') list.addSubnet(e.address, e.prefix, e.family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

function netsOverlap(a: Extract<HostEntry, { kind: 'net' }>, b: Extract<HostEntry, { kind: 'net' }>): boolean {
  if (a.family !== b.family) return false;
  const wider = a.prefix <= b.prefix ? a : b;
  const narrower = wider === a ? b : a;
  return blockListOf([wider]).check(narrower.address, narrower.family === 4 ? 'ipv4' : 'ipv6');
}

/** `localhost` is loopback whatever the resolver says; for an allow list it still has to be named. */
function findEntry(host: string, entries: HostEntry[], opts: { localhostIsLoopback: boolean }): HostEntry | undefined {
  const address = opts.localhostIsLoopback && isIP(host) === 0 && isLocalhostName(host) ? '127.0.0.1' : host;
  const family = isIP(address);
  return entries.find((e) => {
    if (e.kind === 'name') return nameMatches(host, e.pattern);
    return family === e.family && blockListOf([e]).check(address, e.family === 4 ? 'ipv4' : 'ipv6');
  });
}

const IPV4_MAPPED = blockListOf([{ kind: 'net', entry: '::ffff:0:0/96', family: 6, address: '::ffff:0:0', prefix: 96 }]);

/**
 * Why a request to `hostname` (a URL's hostname, brackets and all) is refused, or undefined when it may go.
 * Addresses only as written: a name that resolves into a blocked range is caught by Chromium (the PAC script).
 */
export function blockReason(hostname: string, policy: HostPolicy): string | undefined {
  const host = bareHost(hostname);
  if (isIP(host) === 6 && IPV4_MAPPED.check(host, 'ipv6')) return `host ${host} is an IPv4-mapped IPv6 address`;
  const blocked = findEntry(host, policy.blocked, { localhostIsLoopback: true });
  if (blocked) return `host ${host} is in BLOCKED_HOSTS (${blocked.entry})`;
  if (policy.allowed && !findEntry(host, policy.allowed, { localhostIsLoopback: false })) return `host ${host} is not in ALLOWED_HOSTS`;
  return undefined;
}

/** The part of a URL that is safe to print: scheme and host, never path or query (they may carry row values). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : `a ${u.protocol} URL`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * Why a top-level navigation to `url` is refused, or undefined when it may go. The scheme is checked first: a
 * `file:` URL has no host to check.
 */
export function navigationBlockReason(url: string, policy: HostPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // not a URL at all: the navigation fails on its own, as an invalid step
  }
  if (parsed.protocol === 'about:') {
    return parsed.pathname === 'blank' ? undefined : `${parsed.href.split(/[?#]/)[0]} is not allowed (${NAVIGABLE_DESCRIPTION})`;
  }
  if (!NAVIGABLE_PROTOCOLS.has(parsed.protocol)) return `${parsed.protocol} URLs are not allowed (${NAVIGABLE_DESCRIPTION})`;
  return blockReason(parsed.hostname, policy);
}
