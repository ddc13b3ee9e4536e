/**
 * url-policy.ts's host rules as Chromium launch flags, so Chromium's own network stack enforces them on every
 * request of every context (navigations, redirects, subframes, popups, fetch, WebSocket, service workers) at
 * no per-request cost to the worker. A Playwright route would see the same requests but round-trips each one
 * through Node and turns off the HTTP cache: about 4× the page load time of a 30-resource page
 * (BENCHMARKS.md, navigation policy).
 *
 * Two mechanisms, because each covers what the other cannot:
 * - A PAC script (`--proxy-pac-url`) decides per request: blocked names, ALLOWED_HOSTS, and the addresses a
 *   name resolves to (so `metadata.google.internal`, or any name pointed at 169.254.169.254, is caught). A
 *   refused request goes to a proxy that cannot exist and fails with net::ERR_PROXY_CONNECTION_FAILED.
 * - Chromium never asks the PAC script about loopback and link-local literals (127/8, ::1, localhost,
 *   169.254/16, fe80::/10): its implicit proxy bypass. `--host-resolver-rules` map those, and every other
 *   blocked name and IPv4 range, to "not found" (net::ERR_NAME_NOT_RESOLVED) before any lookup. Its EXCLUDE
 *   overrides every mapping, so allowed addresses are carved out only where no blocked range overlaps them
 *   (url-policy.ts refuses such a pair).
 */
import { isLocalhostName, type HostEntry, type HostPolicy } from './url-policy';

/** The proxy refused requests are sent to: `.invalid` never resolves, and a rule below makes sure of it. */
export const BLOCKED_PROXY_HOST = 'request-blocked-by-policy.invalid';

type Net = Extract<HostEntry, { kind: 'net' }>;

/** Ranges Chromium sends straight out, never asking the PAC script. */
const IMPLICIT_V4: Array<[number, number]> = [
  [ipv4ToInt('127.0.0.0'), 8],
  [ipv4ToInt('169.254.0.0'), 16],
];
const LINK_LOCAL_V6 = ['fe8?:*', 'fe9?:*', 'fea?:*', 'feb?:*'];

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function intToOctets(n: number): number[] {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256);
}

const rangeStart = (n: number, prefix: number) => n - (n % 2 ** (32 - prefix));

/** The part of `net` inside the range [base, prefix], or undefined. */
function clip(net: Net, [base, prefix]: [number, number]): [number, number] | undefined {
  const own: [number, number] = [rangeStart(ipv4ToInt(net.address), net.prefix), net.prefix];
  const [wide, narrow] = own[1] <= prefix ? [own, [base, prefix] as [number, number]] : [[base, prefix] as [number, number], own];
  return rangeStart(narrow[0], wide[1]) === wide[0] ? narrow : undefined;
}

/** An IPv4 range as host globs (`169.254.*`); a prefix between octets becomes one glob per value of its octet. */
function ipv4Globs([start, prefix]: [number, number]): string[] {
  const boundary = Math.ceil(prefix / 8) * 8;
  return Array.from({ length: 2 ** (boundary - prefix) }, (_, i) => {
    const octets = intToOctets(start + i * 2 ** (32 - boundary)).slice(0, boundary / 8);
    return boundary === 32 ? octets.join('.') : [...octets, '*'].join('.');
  });
}

/** IPv6 literals as Chromium's rules see them (no brackets, compressed): exact addresses and link-local. */
function ipv6Patterns(net: Net): string[] {
  const canonical = new URL(`http://[${net.address}]/`).hostname.slice(1, -1);
  if (net.prefix === 128) return [canonical];
  const inLinkLocal = /^fe[89ab]/.test(canonical) || net.prefix <= 8;
  return inLinkLocal ? LINK_LOCAL_V6 : [];
}

function hostPatterns(entry: HostEntry, onlyImplicit: boolean): string[] {
  if (entry.kind === 'name') return onlyImplicit && !isLocalhostName(entry.pattern.replace(/^\*\./, '')) ? [] : [entry.pattern];
  if (entry.family === 6) return ipv6Patterns(entry);
  const loopback = !onlyImplicit && clip(entry, [ipv4ToInt('127.0.0.1'), 32]) ? ['localhost', '*.localhost'] : [];
  if (!onlyImplicit)
    return [...loopback, ...(entry.prefix >= 8 ? ipv4Globs([rangeStart(ipv4ToInt(entry.address), entry.prefix), entry.prefix]) : [])];
  return IMPLICIT_V4.flatMap((range) => {
    const part = clip(entry, range);
    return part ? ipv4Globs(part) : [];
  });
}

/** `--host-resolver-rules`: blocked literals and names → not found; with ALLOWED_HOSTS, all implicit hosts too. */
export function hostResolverRules(policy: HostPolicy): string {
  const rules = [`MAP ${BLOCKED_PROXY_HOST} ~NOTFOUND`, 'MAP ::ffff:* ~NOTFOUND'];
  for (const entry of policy.blocked) for (const p of hostPatterns(entry, false)) rules.push(`MAP ${p} ~NOTFOUND`);
  if (policy.allowed) {
    for (const p of ['localhost', '*.localhost', '127.*', '::1', '169.254.*', ...LINK_LOCAL_V6]) rules.push(`MAP ${p} ~NOTFOUND`);
    for (const entry of policy.allowed) for (const p of hostPatterns(entry, true)) rules.push(`EXCLUDE ${p}`);
  }
  return [...new Set(rules)].join(', ');
}

/** The PAC script: Chromium runs it for every request whose host is not an implicit bypass. */
export function pacScript(policy: HostPolicy): string {
  const names = (entries: HostEntry[]) => entries.filter((e) => e.kind === 'name').map((e) => e.pattern);
  const nets = (entries: HostEntry[]) => entries.filter((e): e is Net => e.kind === 'net').map((e) => `${e.address}/${e.prefix}`);
  const data = {
    blockedNames: names(policy.blocked),
    blockedNets: nets(policy.blocked),
    allowedNames: policy.allowed ? names(policy.allowed) : null,
    allowedNets: policy.allowed ? nets(policy.allowed) : [],
  };
  return `var P = ${JSON.stringify(data)};
var BLOCK = "PROXY ${BLOCKED_PROXY_HOST}:9";
function nameIn(host, patterns) {
  for (var i = 0; i < patterns.length; i++) {
    var p = patterns[i];
    if (p.charAt(0) === "*" ? host.length > p.length - 1 && host.slice(1 - p.length) === p.slice(1) : host === p) return true;
  }
  return false;
}
function netIn(address, nets) {
  for (var i = 0; i < nets.length; i++) if (isInNetEx(address, nets[i])) return true;
  return false;
}
function FindProxyForURL(url, host) {
  host = host.toLowerCase().replace(/^\\[|\\]$/g, "").replace(/\\.$/, "");
  var literal = /^[0-9.]+$/.test(host) || host.indexOf(":") >= 0;
  if (nameIn(host, P.blockedNames)) return BLOCK;
  if (P.allowedNames !== null && !(nameIn(host, P.allowedNames) || (literal && netIn(host, P.allowedNets)))) return BLOCK;
  var addresses = literal ? host : dnsResolveEx(host);
  var list = addresses ? addresses.split(";") : [];
  // An IPv4-mapped answer (::ffff:169.254.169.254) reaches an IPv4 host that no entry names.
  // (Not a ::ffff:0:0/96 entry: isInNetEx matches every IPv4 address against it.)
  for (var i = 0; i < list.length; i++) if (list[i].indexOf("::ffff:") === 0 || netIn(list[i], P.blockedNets)) return BLOCK;
  return "DIRECT";
}`;
}

/**
 * The launch flags that make Chromium enforce `policy`: the host resolver rules, and either the PAC script or,
 * for a build that runs none (the headless shell), the worker's egress proxy (egress-proxy.ts), which decides
 * the same way.
 */
export function chromiumHostPolicyArgs(policy: HostPolicy, egressProxyUrl?: string): string[] {
  const resolver = `--host-resolver-rules=${hostResolverRules(policy)}`;
  if (egressProxyUrl) return [resolver, `--proxy-server=${egressProxyUrl}`];
  const pac = Buffer.from(pacScript(policy)).toString('base64');
  return [resolver, `--proxy-pac-url=data:application/x-ns-proxy-autoconfig;base64,${pac}`];
}
