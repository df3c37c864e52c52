import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RequestHandler } from 'express';
import { openApiDocumentPath } from './openapi.ts';
import { referencePageHeaders } from './security-headers.ts';

/** Where the page lives (a trailing slash, so its files resolve next to it). */
export const apiReferencePath = '/ajax/docs/';

// Swagger UI's files as npm installed them: nothing is fetched from a CDN.
const swaggerUiFiles = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/swagger-ui-bundle.js'));
const servedFiles = new Map(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'].map((name) => [name, join(swaggerUiFiles, name)]));

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>forum-api: API reference</title>
<link rel="stylesheet" href="swagger-ui.css">
<link rel="icon" href="favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="start.js"></script>
</body>
</html>
`;

// A file, not an inline script: the page's CSP allows scripts from this server only. Every response that
// hands out an access token (the guest login, a login, a refresh) signs the page in with it, so a newcomer's
// "Try it out" on GET /ajax/login/guest is all it takes before calling the protected routes.
const startScript = `'use strict';
window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(openApiDocumentPath)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  responseInterceptor: function (response) {
    var token = response.headers && response.headers.authorization;
    if (token) window.ui.preauthorizeApiKey('accessToken', token);
    return response;
  },
});
`;

/**
 * The API reference page: Swagger UI over /ajax/openapi.json, where requests can be tried from the browser.
 * Served before the API's own headers and guard (it is a public HTML page with its own CSP, not an API route),
 * and only when API_DOCS is on (by default outside production).
 */
export function apiReferencePage(): RequestHandler {
  const headers = referencePageHeaders();
  const base = apiReferencePath.slice(0, -1);
  const generated = new Map([
    ['', { type: 'html', body: page }],
    ['start.js', { type: 'js', body: startScript }],
  ]);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === base) return res.redirect(301, apiReferencePath);
    if (!req.path.startsWith(apiReferencePath)) return next();
    const name = req.path.slice(apiReferencePath.length);
    const file = servedFiles.get(name);
    const made = generated.get(name);
    if (!file && !made) return next();
    headers(req, res, () => {
      res.setHeader('Cache-Control', 'no-cache');
      if (file) res.sendFile(file);
      else res.type(made!.type).send(made!.body);
    });
  };
}
