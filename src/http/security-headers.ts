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
 * The API reference page (src/http/api-reference.ts) is an HTML document, so it gets helmet's document headers
 * and a CSP of its own: scripts, styles and images only from this server (Swagger UI's files from
 * node_modules, no CDN), requests only to this server (the page's "Try it out"), no framing, no forms. Swagger
 * UI sets style attributes from script, hence 'unsafe-inline' for styles only.
 */
const referencePageHelmet = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  xFrameOptions: { action: 'deny' },
  xPoweredBy: false,
});

/**
 * With these configurations helmet's headers depend on nothing in the request, so helmet computes them once
 * at start: its chain of middlewares rebuilt the same CSP string on every request.
 */
function fixedHeaders(middleware: Middleware): RequestHandler {
  const headers = headersSetBy(middleware);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** The headers of every API response. */
export const securityHeaders = (): RequestHandler => fixedHeaders(jsonApiHelmet);

/** The headers of the API reference page and its files. */
export const referencePageHeaders = (): RequestHandler => fixedHeaders(referencePageHelmet);
