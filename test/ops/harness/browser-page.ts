import { listen } from '../../helpers/raw-http.ts';

export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/** One call of the page, made the way the original front end makes every call (see forum-api.md §4.1). */
export interface PageCall {
  label: string;
  method: string;
  path: string;
  token: string;
}

export interface PageResult {
  label: string;
  /** The status the page could read, or `CORS error` when fetch rejected. */
  outcome: string;
  requestId: string | null;
}

// The script the browser runs: every call with credentials and the front end's non-simple headers (so a
// preflight first), then a table of what the page could see. A rejected fetch is what DevTools calls a
// "CORS error": the page never learns the status.
const script = `
const params = new URLSearchParams(location.search);
const api = params.get('api');
const calls = JSON.parse(params.get('calls'));
const results = [];
for (const call of calls) {
  try {
    const res = await fetch(api + call.path, {
      method: call.method,
      credentials: 'include',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: call.token },
    });
    results.push({ label: call.label, outcome: String(res.status), requestId: res.headers.get('X-Request-Id') });
  } catch (error) {
    results.push({ label: call.label, outcome: 'CORS error (' + error.name + ': ' + error.message + ')', requestId: null });
  }
}
const rows = results.map((r) => '<tr><td>' + r.label + '</td><td class="' + (r.outcome.startsWith('CORS') ? 'cors' : 'status') + '">' + r.outcome + '</td><td>' + (r.requestId ?? '—') + '</td></tr>').join('');
document.querySelector('#results').innerHTML = '<caption>' + location.origin + ' → ' + api + '</caption><tr><th>call</th><th>what the page sees</th><th>X-Request-Id</th></tr>' + rows;
window.results = results;
document.body.dataset.done = 'yes';
`;

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>forum-api CORS check</title>
<style>body{font:14px sans-serif;margin:16px}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}
caption{font-weight:bold;padding:6px}.cors{color:#b00;font-weight:bold}.status{color:#060}</style></head>
<body><table id="results"></table><script type="module">${script}</script></body></html>`;

/** Serves the check page from its own loopback origin (a port of its own). */
export async function startPageServer(): Promise<PageServer> {
  const { port, close } = await listen((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(page);
  });
  return { origin: `http://127.0.0.1:${port}`, close };
}

export function pageUrl(page: PageServer, api: string, calls: PageCall[]): string {
  return `${page.origin}/?${new URLSearchParams({ api, calls: JSON.stringify(calls) })}`;
}
