import { BlockList, isIP } from 'node:net';
import { runInNewContext } from 'node:vm';
import { hostResolverRules, pacScript, BLOCKED_PROXY_HOST } from '../../src/browser/chromium-policy';
import {
  blockReason,
  describeUrl,
  navigationBlockReason,
  parseHostList,
  parseHostPolicy,
  type HostPolicy,
} from '../../src/browser/url-policy';

const defaults = parseHostPolicy();

describe('host lists', () => {
  it('parses names, wildcards, addresses and ranges, canonically', () => {
    expect(parseHostList(' Example.COM , *.corp.example,10.0.0.0/8, [::1], fe80::/10 ,', 'L')).toEqual([
      { kind: 'name', entry: 'example.com', pattern: 'example.com' },
      { kind: 'name', entry: '*.corp.example', pattern: '*.corp.example' },
      { kind: 'net', entry: '10.0.0.0/8', family: 4, address: '10.0.0.0', prefix: 8 },
      { kind: 'net', entry: '[::1]', family: 6, address: '::1', prefix: 128 },
      { kind: 'net', entry: 'fe80::/10', family: 6, address: 'fe80::', prefix: 10 },
    ]);
  });

  it('names every bad entry', () => {
    expect(() => parseHostList('10.0.0.0/33,bad host,*,a*b.com,example.com/24,::/', 'BLOCKED_HOSTS')).toThrow(
      [
        'BLOCKED_HOSTS: "10.0.0.0/33" has an invalid prefix length (0-32)',
        'BLOCKED_HOSTS: "bad host" is not a host name, address or range',
        'BLOCKED_HOSTS: "*" would match every host',
        'BLOCKED_HOSTS: "a*b.com" is not a host name, address or range (a wildcard is only "*.domain")',
        'BLOCKED_HOSTS: "example.com/24" is not an IP range (address/prefix)',
        'BLOCKED_HOSTS: "::/" has an invalid prefix length (0-128)',
      ].join('; '),
    );
  });

  it('refuses an allowed range that a blocked one overlaps (blocked always wins)', () => {
    expect(() => parseHostPolicy({ allowedHosts: '169.254.169.254' })).toThrow(
      /169\.254\.169\.254 overlaps BLOCKED_HOSTS 169\.254\.0\.0\/16/,
    );
    expect(() => parseHostPolicy({ blockedHosts: '127.0.0.0/8', allowedHosts: 'localhost' })).toThrow(
      /localhost is loopback, which BLOCKED_HOSTS blocks/,
    );
    expect(parseHostPolicy({ blockedHosts: 'none' }).blocked).toEqual([]);
  });
});

describe('which hosts a request may reach', () => {
  it.each([
    ['169.254.169.254', 'host 169.254.169.254 is in BLOCKED_HOSTS (169.254.0.0/16)'],
    ['169.254.1.1', 'host 169.254.1.1 is in BLOCKED_HOSTS (169.254.0.0/16)'],
    ['[fe80::1]', 'host fe80::1 is in BLOCKED_HOSTS (fe80::/10)'],
    ['[fd00:ec2::254]', 'host fd00:ec2::254 is in BLOCKED_HOSTS (fd00:ec2::254)'],
    ['metadata.google.internal', 'host metadata.google.internal is in BLOCKED_HOSTS (metadata.google.internal)'],
    ['METADATA.google.internal.', 'host metadata.google.internal is in BLOCKED_HOSTS (metadata.google.internal)'],
    ['[::ffff:a9fe:a9fe]', 'host ::ffff:a9fe:a9fe is an IPv4-mapped IPv6 address'],
    ['[::ffff:7f00:1]', 'host ::ffff:7f00:1 is an IPv4-mapped IPv6 address'],
  ])('default policy refuses %s', (host, reason) => {
    expect(blockReason(host, defaults)).toBe(reason);
  });

  it.each(['example.com', '127.0.0.1', 'localhost', '10.1.2.3', '[::1]', '169.253.255.255', '169.255.0.0'])(
    'default policy allows %s',
    (host) => {
      expect(blockReason(host, defaults)).toBeUndefined();
    },
  );

  it('blocking loopback blocks localhost by name; allowing it does not allow the name', () => {
    const noLoopback = parseHostPolicy({ blockedHosts: '127.0.0.0/8' });
    expect(blockReason('localhost', noLoopback)).toBe('host localhost is in BLOCKED_HOSTS (127.0.0.0/8)');
    expect(blockReason('app.localhost', noLoopback)).toBe('host app.localhost is in BLOCKED_HOSTS (127.0.0.0/8)');
    const only = parseHostPolicy({ allowedHosts: '127.0.0.1,*.example.com' });
    expect(blockReason('127.0.0.1', only)).toBeUndefined();
    expect(blockReason('localhost', only)).toBe('host localhost is not in ALLOWED_HOSTS');
    expect(blockReason('app.example.com', only)).toBeUndefined();
    expect(blockReason('example.com', only)).toBe('host example.com is not in ALLOWED_HOSTS'); // *.x is subdomains only
    expect(blockReason('169.254.169.254', only)).toBe('host 169.254.169.254 is in BLOCKED_HOSTS (169.254.0.0/16)');
  });
});

describe('top-level navigation', () => {
  it.each([
    ['file:///etc/passwd', 'file: URLs are not allowed (only http:, https: and about:blank)'],
    ['FILE:///etc/passwd', 'file: URLs are not allowed (only http:, https: and about:blank)'],
    ['javascript:alert(1)', 'javascript: URLs are not allowed (only http:, https: and about:blank)'],
    ['data:text/html,hi', 'data: URLs are not allowed (only http:, https: and about:blank)'],
    ['chrome://settings', 'chrome: URLs are not allowed (only http:, https: and about:blank)'],
    ['view-source:https://example.com', 'view-source: URLs are not allowed (only http:, https: and about:blank)'],
    ['blob:https://example.com/1', 'blob: URLs are not allowed (only http:, https: and about:blank)'],
    ['about:version', 'about:version is not allowed (only http:, https: and about:blank)'],
    ['http://0xA9FEA9FE/', 'host 169.254.169.254 is in BLOCKED_HOSTS (169.254.0.0/16)'],
  ])('refuses %s', (url, reason) => {
    expect(navigationBlockReason(url, defaults)).toBe(reason);
  });

  it.each(['https://example.com/x?y=1', 'http://127.0.0.1:8080/', 'about:blank', 'about:blank#top'])('allows %s', (url) => {
    expect(navigationBlockReason(url, defaults)).toBeUndefined();
  });

  it('describes a URL by scheme and host only: its path and query may carry row values', () => {
    expect(describeUrl('https://user:pw@example.com:8443/reset?token=abc')).toBe('https://example.com:8443');
    expect(describeUrl('file:///home/me/.ssh/id_rsa')).toBe('a file: URL');
    expect(describeUrl('not a url')).toBe('an invalid URL');
  });
});

describe('the same rules as Chromium flags', () => {
  it('maps blocked literals Chromium never asks the PAC script about to "not found"', () => {
    const rules = hostResolverRules(defaults).split(', ');
    expect(rules).toEqual(
      expect.arrayContaining([
        `MAP ${BLOCKED_PROXY_HOST} ~NOTFOUND`,
        'MAP ::ffff:* ~NOTFOUND',
        'MAP 169.254.* ~NOTFOUND',
        'MAP fe8?:* ~NOTFOUND',
        'MAP feb?:* ~NOTFOUND',
      ]),
    );
    expect(rules.some((r) => r.startsWith('EXCLUDE'))).toBe(false);
    const loopback = hostResolverRules(parseHostPolicy({ blockedHosts: '127.0.0.0/9' })).split(', ');
    expect(loopback).toEqual(
      expect.arrayContaining(['MAP localhost ~NOTFOUND', 'MAP *.localhost ~NOTFOUND', 'MAP 127.0.* ~NOTFOUND', 'MAP 127.127.* ~NOTFOUND']),
    );
    expect(loopback).not.toContain('MAP 127.128.* ~NOTFOUND');
  });

  it('with ALLOWED_HOSTS, maps every implicit loopback/link-local host to "not found" except the allowed ones', () => {
    const rules = hostResolverRules(parseHostPolicy({ allowedHosts: '127.0.0.1,localhost,example.com' })).split(', ');
    expect(rules).toEqual(
      expect.arrayContaining(['MAP 127.* ~NOTFOUND', 'MAP localhost ~NOTFOUND', 'EXCLUDE 127.0.0.1', 'EXCLUDE localhost']),
    );
    expect(rules).not.toContain('EXCLUDE example.com'); // not an implicit host: the PAC script decides it
  });

  /** Runs the PAC script as Chromium would, with a resolver that answers from `dns`. */
  function pac(policy: HostPolicy, dns: Record<string, string[]> = {}) {
    const isInNetEx = (address: string, cidr: string) => {
      const [base, prefix] = cidr.split('/');
      const list = new BlockList();
      list.addSubnet(base, Number(prefix), isIP(base) === 4 ? 'ipv4' : 'ipv6');
      return isIP(address) !== 0 && isIP(address) === isIP(base) && list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
    };
    const sandbox = { isInNetEx, dnsResolveEx: (host: string) => (dns[host] ?? []).join(';') } as Record<string, unknown>;
    runInNewContext(pacScript(policy), sandbox);
    return (url: string) => (sandbox.FindProxyForURL as (u: string, h: string) => string)(url, new URL(url).hostname);
  }

  it('the PAC script refuses blocked names, names that resolve into blocked ranges, and hosts not allowed', () => {
    const block = `PROXY ${BLOCKED_PROXY_HOST}:9`;
    const find = pac(defaults, {
      'app.example.com': ['93.184.216.34'],
      'rebind.example': ['169.254.169.254'],
      'mapped.example': ['::ffff:a9fe:a9fe'],
    });
    expect(find('https://app.example.com/')).toBe('DIRECT');
    expect(find('http://metadata.google.internal/')).toBe(block);
    expect(find('http://rebind.example/')).toBe(block);
    expect(find('http://mapped.example/')).toBe(block);
    expect(find('http://[fd00:ec2::254]/')).toBe(block);
    expect(find('http://unresolvable.example/')).toBe('DIRECT'); // fails on its own, as DNS says

    const only = pac(parseHostPolicy({ allowedHosts: '*.example.com,10.0.0.0/8' }), { 'a.example.com': ['10.1.1.1'] });
    expect(only('https://a.example.com/')).toBe('DIRECT');
    expect(only('https://example.org/')).toBe(block);
    expect(only('http://10.2.3.4/')).toBe('DIRECT');
    expect(only('http://11.0.0.1/')).toBe(block);
  });
});
