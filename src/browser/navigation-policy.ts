/**
 * The navigation policy on a BrowserContext: what its requests were refused, so the step running when it
 * happened fails as NavigationBlocked (never retried) instead of as a mysterious network error or timeout.
 *
 * Chromium enforces the host rules itself (chromium-policy.ts, launch flags) and refuses file:, chrome: and
 * view-source: loads and top-level data: navigations from web content on its own; this records both by
 * watching the context's failed requests and Chromium's console reports. Browsers without those flags
 * (firefox, webkit) get `enforceInNode`: a route that checks every request in the worker, which is correct but
 * costs a round trip per request and the HTTP cache. What no page can do, a recording can: `page.goto` is
 * browser-initiated, so the navigate step checks its URL first (assertNavigationAllowed).
 */
import type { BrowserContext, Page, Request } from 'playwright';
import type { EgressProxy } from './egress-proxy';
import { StepError } from './errors';
import { isClosedError } from './error-mapping';
import { blockReason, describeUrl, navigationBlockReason, parseHostPolicy, type HostPolicy } from './url-policy';

export interface BlockedRequest {
  /** Scheme and host only (describeUrl): a path or query may carry row values. */
  what: string;
  reason: string;
}

export interface NavigationPolicyOptions {
  /** Check every request in the worker (a Playwright route) instead of relying on Chromium's flags. */
  enforceInNode?: boolean;
  /** The proxy that enforces the policy for this browser (no PAC script): it knows what it refused. */
  egressProxy?: EgressProxy;
}

/** Kept per context: enough to name the problem without letting a page that hammers a blocked host grow it. */
const MAX_RECORDED = 20;
/** Chromium's report of a file:/chrome:/view-source: load, or a top-level data: navigation, it refused. */
const REFUSED_BY_CHROMIUM = /^Not allowed to (?:load local resource|navigate top frame to data URL): ?(\S*)/;
/** What a request refused by Chromium's flags fails with (chromium-policy.ts). */
const POLICY_FAILURES = new Set(['net::ERR_PROXY_CONNECTION_FAILED', 'net::ERR_NAME_NOT_RESOLVED']);
/** What a request the egress proxy refused fails with (egress-proxy.ts). */
const PROXY_FAILURES = new Set(['net::ERR_TUNNEL_CONNECTION_FAILED', 'net::ERR_EMPTY_RESPONSE']);
/** A failed step whose error says this may have been a refused request still in flight to the worker. */
const MAYBE_BLOCKED =
  /ERR_PROXY_CONNECTION_FAILED|ERR_NAME_NOT_RESOLVED|ERR_TUNNEL_CONNECTION_FAILED|ERR_EMPTY_RESPONSE|ERR_BLOCKED_BY_CLIENT|chrome-error:\/\//;
const IN_FLIGHT_GRACE_MS = 100;

export class NavigationGuard {
  private blocked: BlockedRequest[] = [];
  private dropped = 0;

  constructor(readonly policy: HostPolicy) {}

  record(blocked: BlockedRequest): void {
    if (this.blocked.length < MAX_RECORDED) this.blocked.push(blocked);
    else this.dropped++;
  }

  /** What was refused since the last call, as one step error; undefined when nothing was. */
  takeError(): StepError | undefined {
    const [first, ...rest] = this.blocked;
    const more = rest.length + this.dropped;
    this.blocked = [];
    this.dropped = 0;
    if (!first) return undefined;
    return new StepError(
      'NavigationBlocked',
      `${first.what} blocked: ${first.reason}${more ? ` (and ${more} more blocked request(s))` : ''}`,
    );
  }
}

const guards = new WeakMap<BrowserContext, NavigationGuard>();
const DEFAULT_POLICY = parseHostPolicy();

function policyOf(context: BrowserContext): HostPolicy {
  return guards.get(context)?.policy ?? DEFAULT_POLICY;
}

/** Why the policy refused this failed request, or undefined when it failed for another reason. */
function refusal(request: Request, policy: HostPolicy, egressProxy?: EgressProxy): string | undefined {
  const error = request.failure()?.errorText ?? '';
  const viaProxy = egressProxy !== undefined && PROXY_FAILURES.has(error);
  if (!POLICY_FAILURES.has(error) && !viaProxy) return undefined;
  let host: string;
  try {
    host = new URL(request.url()).hostname;
  } catch {
    return undefined;
  }
  if (viaProxy) return egressProxy.refusedRecently(host.replace(/^\[|\]$/g, ''));
  const reason = blockReason(host, policy);
  if (reason || error !== 'net::ERR_PROXY_CONNECTION_FAILED') return reason;
  return `host ${host} resolves to an address in BLOCKED_HOSTS`;
}

export async function installNavigationPolicy(
  context: BrowserContext,
  policy: HostPolicy,
  opts: NavigationPolicyOptions = {},
): Promise<NavigationGuard> {
  const guard = new NavigationGuard(policy);
  guards.set(context, guard);
  context.on('requestfailed', (request) => {
    const reason = refusal(request, policy, opts.egressProxy);
    if (reason) guard.record({ what: describeUrl(request.url()), reason });
  });
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    const refused = REFUSED_BY_CHROMIUM.exec(message.text());
    if (!refused) return;
    const url = refused[1] || 'data:';
    guard.record({ what: describeUrl(url), reason: navigationBlockReason(url, policy) ?? 'refused by the browser' });
  });
  if (opts.enforceInNode) {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      const reason = /^https?:/.test(url) ? blockReason(new URL(url).hostname, policy) : undefined;
      if (!reason) return route.continue();
      guard.record({ what: describeUrl(url), reason });
      return route.abort('blockedbyclient');
    });
  }
  return guard;
}

/** Throws NavigationBlocked when `url` may not be opened by a recording (navigate steps, before page.goto). */
export function assertNavigationAllowed(page: Page, url: string): void {
  const reason = navigationBlockReason(url, policyOf(page.context()));
  if (reason) throw new StepError('NavigationBlocked', `navigate to ${describeUrl(url)} blocked: ${reason}`);
}

/**
 * The NavigationBlocked error for whatever the context's requests were refused since the last call. With the
 * step's own error, waits briefly when that error looks like a refused request whose report is still on its way,
 * and returns that error itself when it already is a NavigationBlocked.
 */
export async function takeNavigationBlocked(context: BrowserContext, stepError?: unknown): Promise<StepError | undefined> {
  const guard = guards.get(context);
  // The navigate step's own refusal: nothing was requested, and it says best what happened.
  if (stepError instanceof StepError && stepError.type === 'NavigationBlocked') {
    guard?.takeError();
    return stepError;
  }
  // A lost page or session is what happened, whatever it had requested: the row restarts elsewhere.
  if (!guard || isClosedError(stepError) || (stepError instanceof StepError && stepError.type === 'SessionLost')) return undefined;
  const now = guard.takeError();
  if (now || stepError === undefined || !MAYBE_BLOCKED.test(String((stepError as Error)?.message ?? stepError))) return now;
  await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_GRACE_MS));
  return guard.takeError();
}
