import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accessFor } from '../../src/http/public-routes.ts';
import type { Request } from 'express';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { mountedRoutes } from '../helpers/router-stack.ts';
import { forgedTokens } from '../helpers/tokens.ts';
import { bypassVariants, samplePath, type BypassVariant } from './harness/bypass-variants.ts';
import { startHaproxy, type Haproxy } from './harness/haproxy.ts';
import { rawExchange, type RawAnswer } from '../helpers/raw-socket.ts';

interface HandlerCall {
  route: string;
  anonymous: boolean;
  url: string;
}

// The guard's answers to an anonymous caller: 401, 303 (expired token), 404 (unmatched), 400 (unparseable,
// from us or the proxy), and the CORS layer's 204 to OPTIONS. Anything else, or a body that is neither
// empty, an error object nor the proxy's HTML page, looks like a handler answered.
function looksLikeRefusal(variant: BypassVariant, answer: RawAnswer): boolean {
  const statuses = variant.method === 'OPTIONS' ? [204, 400, 401, 404] : [303, 400, 401, 404];
  if (!statuses.includes(answer.status)) return false;
  const body = answer.body.trim();
  return body === '' || body.startsWith('<html>') || /^\{"error":\{"code":"[A-Z_]+"/.test(body);
}

describe('Authentication bypass attempts against every protected route', () => {
  let app: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let haproxy: Haproxy;
  const calls: HandlerCall[] = [];
  const protectedRoutes = () => app.app.locals.routes.filter((route) => accessFor(route.path).requiresToken);

  before(async () => {
    // In process, so the first step after each protected route's guard (validation, then the handler) can be
    // wrapped in a spy: "an anonymous caller got past the guard" is then observed, not inferred from a status.
    app = await startTestApp('postgres');
    for (const { method, path, route } of mountedRoutes(app.app.router)) {
      if (!accessFor(path).requiresToken) continue;
      const pastGuard = route.stack[1]!;
      const next = pastGuard.handle as unknown as (req: Request, ...rest: unknown[]) => unknown;
      pastGuard.handle = ((req: Request, ...rest: unknown[]) => {
        calls.push({ route: `${method.toUpperCase()} ${path}`, anonymous: req.user === undefined, url: req.originalUrl });
        return next(req, ...rest);
      }) as unknown as typeof pastGuard.handle;
    }
    server = await listen(app.app);
    haproxy = await startHaproxy({ targets: [{ name: 'app', port: server.port }], normalizingFrontend: true });
    await haproxy.waitForStatus('app', 'UP');
  });
  after(async () => {
    await haproxy?.stop();
    await server?.close();
    await app?.close();
  });

  it('When a protected route is called with a valid token, then the spy sees it get past the guard (the detector works)', async () => {
    const token = await app.accessTokens.issue({ id: 'alice1', role: 'ROLE_USER_CERT' });
    for (const route of protectedRoutes()) {
      const before = calls.length;
      await rawExchange(server.port, { method: route.method.toUpperCase(), target: samplePath(route.path), headers: [['Authorization', token]] });
      assert.equal(calls.length, before + 1, `${route.method} ${route.path}`);
    }
    calls.length = 0;
  });

  it('When every protected route is called anonymously in every variant, directly and through two proxies, then no protected handler runs', { timeout: 120_000 }, async (t) => {
    const tokens = { algNone: await forgedTokens.algNone(), expired: await forgedTokens.expired() };
    const doors = [
      ['server', server.port],
      ['load balancer', haproxy.port],
      ['normalising proxy', haproxy.normalizingPort!],
    ] as const;
    const bypasses: string[] = [];
    const statuses: Record<string, number> = {};
    let attempts = 0;
    for (const route of protectedRoutes()) {
      const variants = bypassVariants(route.method.toUpperCase(), route.path, tokens);
      assert.ok(variants.length >= 40, `${variants.length} variants`);
      for (const variant of variants) {
        for (const [door, port] of doors) {
          const before = calls.length;
          const answer = await rawExchange(port, variant);
          attempts++;
          statuses[`${door} ${answer.status || answer.error}`] = (statuses[`${door} ${answer.status || answer.error}`] ?? 0) + 1;
          const ran = calls.slice(before).filter((call) => call.anonymous);
          const handlerShaped = !variant.targetsPublicRoute && !looksLikeRefusal(variant, answer);
          if (ran.length > 0 || handlerShaped) {
            bypasses.push(`${door}: ${route.method.toUpperCase()} ${route.path} ← ${variant.name} (${variant.method} ${String(variant.target)}) → ${answer.status} ${answer.body.slice(0, 80)}`);
          }
        }
      }
    }
    t.diagnostic(`${protectedRoutes().length} protected routes × ${bypassVariants('POST', '/ajax/x/', tokens).length} variants × ${doors.length} doors = ${attempts} attempts, ${bypasses.length} bypasses`);
    t.diagnostic(`answers: ${JSON.stringify(statuses)}`);
    assert.ok(protectedRoutes().length > 0);
    assert.deepEqual(bypasses, []);
  });
});
