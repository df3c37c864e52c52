import request from 'supertest';
import { startTestApp } from '/work/wt/i14/test/helpers/app.ts';
const t = await startTestApp('pglite');
const res = await request(t.app).get('/ajax/openapi.json');
for (const [path, item] of Object.entries(res.body.paths as Record<string, any>)) for (const [m, op] of Object.entries(item as Record<string, any>)) {
  console.log(m, path, JSON.stringify(op.parameters?.map((p: any) => [p.in, p.name, p.schema])), JSON.stringify(op.requestBody?.content['application/json'].schema));
}
await t.close();
