/**
 * A navigate step whose URL is refused by the navigation policy as written is bad input, refused before anything
 * starts. Only what the recording fixes literally is judged here: a scheme written before any placeholder
 * (`file://{{path}}`), a host written before any placeholder (`http://169.254.169.254/{{x}}`). What a CSV value
 * or a page supplies is the browser's to refuse, at run time (src/browser/navigation-policy.ts).
 */
import { navigationBlockReason, type HostPolicy } from '../browser/url-policy';
import type { UserFlow } from './types';

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** `scheme://authority` ended by a path, query or fragment: the host is literal. */
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*[/?#]/i;

/** What the recording fixes of `url`: all of it, its scheme and host, its scheme alone, or nothing. */
function literalPart(url: string): { url: string } | { scheme: string } | undefined {
  const open = url.indexOf('{{');
  if (open < 0) return { url };
  const prefix = url.slice(0, open);
  const authority = AUTHORITY.exec(prefix)?.[0];
  if (authority) return { url: `${authority.slice(0, -1)}/` };
  const scheme = SCHEME.exec(prefix)?.[0];
  return scheme ? { scheme: scheme.toLowerCase() } : undefined;
}

function problem(url: string, policy: HostPolicy): string | undefined {
  const literal = literalPart(url);
  if (!literal) return undefined;
  if ('scheme' in literal) {
    // The host is still to come: judge the scheme alone (a placeholder after `about:` may yet spell `blank`).
    return /^(https?|about):$/.test(literal.scheme) ? undefined : navigationBlockReason(`${literal.scheme}x`, policy);
  }
  try {
    new URL(literal.url);
  } catch {
    return 'not an absolute URL (expected http://... or https://...)';
  }
  return navigationBlockReason(literal.url, policy);
}

export function literalUrlProblems(flow: UserFlow, policy: HostPolicy): string[] {
  return flow.steps.flatMap((step, i) => {
    const reason = step.type === 'navigate' ? problem(step.url, policy) : undefined;
    return reason ? [`steps[${i}] (navigate).url: ${reason}`] : [];
  });
}
