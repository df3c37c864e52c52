// Baseline: the Express 5 ceiling — etag and x-powered-by off, `res.end` of a prepared buffer.
// BENCH_EXPRESS_MODE=json answers with res.json defaults instead; =stack adds pino-http, helmet and cors
// at their defaults, to show what the default middleware costs.
import { readFileSync } from 'node:fs';
import express from 'express';

const body = readFileSync(process.env.BENCH_BODY_FILE);
const subjects = JSON.parse(body.toString());
const mode = process.env.BENCH_EXPRESS_MODE ?? 'ceiling';
const app = express();
if (mode === 'ceiling') {
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
app.get('/ajax/subject/all', (req, res) => {
  if (mode === 'ceiling') {
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
