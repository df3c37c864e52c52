// Baseline: the Express 5 ceiling — etag and x-powered-by off, `res.end` of a prepared buffer.
// BENCH_EXPRESS_MODE=json answers with res.json defaults instead; =stack adds pino-http, helmet and cors
// at their defaults, to show what the default middleware costs; =row is the ceiling plus one route that reads
// a row from PostgreSQL (BENCH_DATABASE_URL) with node-postgres and nothing else: the floor under our uncached
// one-row read (issue 18, target 3).
import { readFileSync } from 'node:fs';
import express from 'express';

const body = readFileSync(process.env.BENCH_BODY_FILE);
const subjects = JSON.parse(body.toString());
const mode = process.env.BENCH_EXPRESS_MODE ?? 'ceiling';
const app = express();
if (mode === 'ceiling' || mode === 'row') {
  app.disable('etag');
  app.disable('x-powered-by');
}
if (mode === 'stack') {
  const { default: pinoHttp } = await import('pino-http');
  const { default: helmet } = await import('helmet');
  const { default: cors } = await import('cors');
  app.use(pinoHttp());
  app.use(helmet());
  app.use(cors());
}
if (mode === 'row') {
  // The same pool size, the same SQL text (Kysely's) and the same JSON as ours, so the floor differs from our
  // route only by what our server adds around the query.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
  const sql = 'select "id", "title", "description", "admin" from "subject" where "id" = $1';
  app.get('/ajax/subject/get', async (req, res) => {
    const { rows } = await pool.query(sql, [String(req.query.sid)]);
    const json = Buffer.from(JSON.stringify({ ...rows[0], btotal: 0 }));
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', json.length);
    res.end(json);
  });
}
app.get('/ajax/subject/all', (req, res) => {
  if (mode === 'ceiling' || mode === 'row') {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', body.length);
    res.end(body);
  } else {
    res.json(subjects);
  }
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
server.keepAliveTimeout = 65_000;
// A clean exit on the benchmark's SIGTERM, so that a server run with --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
