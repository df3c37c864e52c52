#!/usr/bin/env node
// The doctor's command in an installed package. It runs the compiled JavaScript in dist/, never the .ts
// sources: Node strips types only from 22.18 / 23.6 on, never for files under node_modules, and `node` on
// an operator's PATH may be any version. The doctor needs nothing but Node's own modules, so dist/doctor
// runs on Node 20 and later. From a checkout, `npm run doctor -- <url>` runs the sources on Node 24.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
const compiled = new URL('../dist/doctor/cli.js', import.meta.url);
if (major < 20) {
  process.stderr.write(`forum-api-doctor: needs Node 20 or newer (this is ${process.version})\n`);
  process.exitCode = 2;
} else if (!existsSync(compiled)) {
  process.stderr.write('forum-api-doctor: dist/doctor/cli.js is missing: run `npm run build` in the package (npm pack does it)\n');
  process.exitCode = 2;
} else {
  import(compiled.href).catch((error) => {
    process.stderr.write(`forum-api-doctor: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 2;
  });
}
