import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet, configured for a JSON API: the headers that protect a JSON response (a CSP that forbids everything,
 * framing, MIME sniffing, HSTS, cross-origin reads, the referrer). Left out are those that only act on HTML
 * documents (COOP, Origin-Agent-Cluster, DNS prefetch, IE downloads, Flash policy files, the XSS auditor);
 * X-Powered-By is already off in app.ts.
 */
const jsonApiHelmet = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-site' },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  xPoweredBy: false,
});

type Middleware = (req: never, res: never, next: (error?: unknown) => void) => void;

/** Runs `middleware` once on a stand-in response (helmet only sets and removes headers) and answers what it set. */
function headersSetBy(middleware: Middleware): Array<[string, string]> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  middleware({} as never, res as never, (error) => {
    if (error) throw error;
  });
  return [...headers];
}

/**
 * With this configuration helmet's headers depend on nothing in the request, so helmet computes them once at
 * start: its chain of middlewares rebuilt the same CSP string on every request.
 */
export function securityHeaders(): RequestHandler {
  const headers = headersSetBy(jsonApiHelmet);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
