import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { albContract, readinessPath } from '../alb-contract.ts';
import type { DatabaseProbe, ProbeResult } from '../db/probe.ts';
import type { Lifecycle } from '../lifecycle.ts';
import type { Logger } from '../logger.ts';
import { openApiDocumentPath, type DocumentedOperation } from './openapi.ts';
import { stamp } from './request-logging.ts';

const contentType = 'application/health+json';

/** Bodies in the IETF health-check format, rebuilt only when the database probe or the lifecycle changes. */
class HealthBodies {
  live = Buffer.alloc(0);
  ready = Buffer.alloc(0);
  readonly draining = Buffer.from(JSON.stringify({ status: 'fail', output: 'draining: shutting down', serviceId: 'forum-api' }));

  update(database: ProbeResult): void {
    const checks = {
      'database:responseTime': [
        {
          componentType: 'datastore',
          status: database.status,
          observedValue: database.responseTimeMs,
          observedUnit: 'ms',
          time: database.checkedAt,
          output: database.output,
        },
      ],
    };
    // Liveness passes whatever the database does: one bad dependency must not empty the target group.
    this.live = Buffer.from(JSON.stringify({ status: 'pass', serviceId: 'forum-api', checks }));
    this.ready = Buffer.from(
      JSON.stringify({ status: database.status === 'pass' ? 'pass' : 'fail', serviceId: 'forum-api', checks }),
    );
  }
}

// While draining, stampResponse (before these routes) has already set `Connection: close`.
function send(res: ServerResponse, status: number, body: Buffer, type = contentType): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/**
 * Answers a request for the health or readiness path, as the routes below would, and says whether it did.
 * The request listener (src/app.ts) asks this before handing a request to Express.
 */
export type EarlyHealth = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Health is mounted before everything that could refuse or slow a request (auth, rate limits, body parsing,
 * the database), so the ALB's probe cannot fail for any reason but a draining or dead process.
 * Every ALB node probes every target, so these lines are logged at debug only.
 *
 * Returns the same answers without Express (EarlyHealth): the exact paths the ALB and orchestrators probe, so
 * a probe is answered when its request is parsed, not after Express's router; anything else (another case, a
 * query string) still reaches the routes mounted here, which answer it identically.
 */
export function mountHealthRoutes(app: Router, probe: DatabaseProbe, lifecycle: Lifecycle, logger: Logger, { docsPath }: { docsPath?: string } = {}): EarlyHealth {
  const bodies = new HealthBodies();
  probe.onChange((result) => bodies.update(result));
  const logLine = (id: unknown, req: IncomingMessage, url: string | undefined, res: ServerResponse) => {
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ req: { id, method: req.method, url, userAgent: req.headers['user-agent'] }, res: { statusCode: res.statusCode } }, 'health check');
    }
  };
  const log = (req: Request, res: Response) => logLine(req.id, req, req.originalUrl, res);

  // On the app itself rather than in a router of their own: a nested router costs every other request too.
  // Express matches the path with and without its trailing slash.
  // The answers, shared by these routes and the early path below.
  const live = () => (lifecycle.draining ? [503, bodies.draining] as const : [200, bodies.live] as const);
  const ready = () => (lifecycle.draining ? [503, bodies.draining] as const : [probe.available ? 200 : 503, bodies.ready] as const);
  for (const [path, answer] of [[albContract.healthCheckPath, live], [readinessPath, ready]] as const) {
    app.get(path, (req, res) => {
      send(res, ...answer());
      log(req, res);
    });
  }
  // A signpost, not a health document (those are the routes above), so plain JSON; while draining it answers
  // the health document that says so, as the other two do.
  const root = Buffer.from(JSON.stringify({ service: 'forum-api', health: albContract.healthCheckPath, api: openApiDocumentPath, ...(docsPath ? { docs: docsPath } : {}) }));
  app.get('/', (req, res) => {
    if (lifecycle.draining) send(res, 503, bodies.draining);
    else send(res, 200, root, 'application/json; charset=utf-8');
    log(req, res);
  });

  const early = new Map([
    [albContract.healthCheckPath, live],
    [albContract.healthCheckPath.slice(0, -1), live],
    [readinessPath, ready],
    [`${readinessPath}/`, ready],
  ]);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const answer = early.get(req.url ?? '');
    if (answer === undefined) return false;
    // What stampResponse does for the routes above.
    const id = stamp(req, res, lifecycle.draining);
    const [status, body] = answer();
    send(res, status, body);
    logLine(id, req, req.url, res);
    return true;
  };
}

const healthBody = z.looseObject({
  status: z.enum(['pass', 'warn', 'fail']),
  serviceId: z.string(),
  output: z.string().optional(),
  checks: z.record(z.string(), z.unknown()).optional().describe('the database probe (never waited for)'),
});
const healthResponse = (description: string) => ({ description, body: healthBody, contentType });
const draining = healthResponse('draining after SIGTERM (Connection: close)');

/** The routes above, for the OpenAPI document (a test checks every mounted route is in it). */
export const healthOperations: DocumentedOperation[] = [
  {
    method: 'get',
    path: albContract.healthCheckPath,
    tag: 'health',
    database: false,
    summary: 'Liveness, for the load balancer (/ajax/health without the slash is the same route); passes while the database is down',
    responses: { 200: healthResponse('serving'), 503: draining },
  },
  {
    method: 'get',
    path: readinessPath,
    tag: 'health',
    database: false,
    summary: 'Readiness: fails while the database is unreachable or the server drains',
    responses: { 200: healthResponse('ready'), 503: healthResponse('database unreachable, or draining') },
  },
  {
    method: 'get',
    path: '/',
    tag: 'health',
    database: false,
    summary: 'Where to look: the health path, the API document and its reference page (answers 200 as a load-balancer safety net)',
    responses: {
      200: {
        description: 'serving',
        body: z.object({ service: z.string(), health: z.string(), api: z.string(), docs: z.string().optional().describe('the API reference page, when API_DOCS is on') }),
        contentType: 'application/json',
      },
      503: draining,
    },
  },
];
