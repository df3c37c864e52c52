import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * `res.json` for a route on the hot path: the same bytes and headers (Content-Type with charset,
 * Content-Length) without `res.send`'s work for bodies of any kind: content-type parsing and MIME lookups,
 * its ETag and freshness checks (ETags are off, see app.ts), the HEAD case (node:http drops the body itself).
 */
export function sendJson(res: Response, value: object): void {
  const json = JSON.stringify(value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

/** A JSON body serialised ahead of time, with the ETag of those bytes. */
export interface TaggedJson {
  json: Buffer;
  etag: string;
}

export function taggedJson(value: unknown): TaggedJson {
  const json = Buffer.from(JSON.stringify(value));
  // A hash of the bytes, not a version number: every instance behind the load balancer tags equal bodies alike.
  const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
  return { json, etag };
}

/**
 * Answers JSON that browsers may keep but must revalidate: `ETag` + `Cache-Control: no-cache`, and a bodiless
 * 304 when the client's If-None-Match still matches (Express's `req.fresh` does the comparison). Headers set
 * earlier in the chain (CORS, the request id) are on both answers.
 */
export function sendRevalidated(req: Request, res: Response, body: TaggedJson): void {
  res.setHeader('ETag', body.etag);
  // Store, but ask every time: a change shows on the next page view, and an unchanged list costs a 304.
  res.setHeader('Cache-Control', 'no-cache');
  if (req.fresh) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.json.length);
  res.end(body.json);
}

/** The headers above, for the OpenAPI document. */
export const revalidationHeaders = {
  ETag: 'tag of this exact body; send it back in If-None-Match',
  'Cache-Control': 'no-cache (keep it, revalidate every time)',
};

export const notModified = { description: 'unchanged since the ETag sent in If-None-Match (no body)' };
