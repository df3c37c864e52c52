// Baseline: a bare fastify 5 server answering the same JSON (context: what another framework does here).
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = readFileSync(process.env.BENCH_BODY_FILE);
const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
app.get('/ajax/subject/all', (req, reply) => {
  reply.header('Content-Type', 'application/json; charset=utf-8').send(body);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('listening');
