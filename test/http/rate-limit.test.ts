import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { corsPolicy } from '../../src/http/cors.ts';
import { errorHandler } from '../../src/http/errors.ts';
import { limitRate } from '../../src/http/rate-limit.ts';
import { frontOrigin } from '../helpers/app.ts';

describe('Rate limits', () => {
  it('When a client exceeds a limit, then it gets 429 JSON with Retry-After and CORS headers', async () => {
    const cors = corsPolicy([frontOrigin], pino({ level: 'silent' }));
    const app = express();
    app.use(cors);
    app.post('/limited', limitRate({ name: 'test', windowMs: 60_000, limit: 2 }), (_req, res) => {
      res.status(200).end();
    });
    app.use(errorHandler({ exposeStack: false, applyCors: cors, onDatabaseUnavailable: () => undefined }));

    assert.equal((await request(app).post('/limited')).status, 200);
    assert.equal((await request(app).post('/limited')).status, 200);
    const res = await request(app).post('/limited').set('Origin', frontOrigin);
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'TOO_MANY_REQUESTS');
    assert.ok(Number(res.headers['retry-after']) > 0 && Number(res.headers['retry-after']) <= 60);
    assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
  });

  it('When two limits share a client, then each counts separately', async () => {
    const app = express();
    app.get('/a', limitRate({ name: 'a', windowMs: 60_000, limit: 1 }), (_req, res) => void res.end());
    app.get('/b', limitRate({ name: 'b', windowMs: 60_000, limit: 1 }), (_req, res) => void res.end());
    assert.equal((await request(app).get('/a')).status, 200);
    assert.equal((await request(app).get('/b')).status, 200);
    assert.equal((await request(app).get('/a')).status, 429);
  });
});
