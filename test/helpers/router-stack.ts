import assert from 'node:assert/strict';
import type { Router } from 'express';

export interface StackLayer {
  route?: MountedRouteObject;
  handle: ((...args: never[]) => unknown) & { stack?: StackLayer[] };
  slash?: boolean;
  rawPath?: unknown;
}

interface MountedRouteObject {
  path: unknown;
  methods: Record<string, boolean>;
  /** The route's own middleware chain: for routes mounted by mountRoutes, the guard comes first. */
  stack: StackLayer[];
}

export interface MountedRoute {
  method: string;
  path: string;
  route: MountedRouteObject;
}

/** Every route Express will actually dispatch to, found by walking the router stack (not the spec list). */
export function mountedRoutes(router: Router): MountedRoute[] {
  const found: MountedRoute[] = [];
  const walk = (stack: StackLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        assert.equal(typeof layer.route.path, 'string', `a route declared with a pattern cannot be documented: ${String(layer.route.path)}`);
        for (const method of Object.keys(layer.route.methods).filter((name) => name !== '_all')) {
          found.push({ method, path: prefix + String(layer.route.path), route: layer.route });
        }
      } else if (layer.handle.stack) {
        assert.ok(layer.slash || typeof layer.rawPath === 'string', 'a router mounted under a pattern cannot be documented');
        walk(layer.handle.stack, layer.slash ? prefix : prefix + String(layer.rawPath));
      }
    }
  };
  walk((router as unknown as { stack: StackLayer[] }).stack, '');
  return found;
}
