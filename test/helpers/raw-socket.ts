import { connect } from 'node:net';

export interface RawAnswer {
  /** 0 when the connection closed without a response. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** How the exchange ended when it was not a response: `ECONNRESET`, `timeout`, `closed`. */
  error?: string;
}

export interface RawRequest {
  method: string;
  /** The request-target exactly as sent: any bytes, no normalisation. */
  target: string | Buffer;
  headers?: Array<[string, string | Buffer]>;
  body?: Buffer | string;
}

/**
 * Builds the request bytes. A request without a body asks the server to close after answering; one with a
 * body keeps the connection, so the server reads (and drops) a body it did not need instead of closing on
 * unread bytes, which makes the kernel reset the connection and discard the answer before it is read.
 */
export function requestBytes(request: RawRequest, host: string): Buffer {
  const lines: Buffer[] = [Buffer.concat([Buffer.from(`${request.method} `), Buffer.from(request.target), Buffer.from(' HTTP/1.1\r\n')])];
  const headers = request.headers ?? [];
  const names = new Set(headers.map(([name]) => name.toLowerCase()));
  if (!names.has('host')) lines.push(Buffer.from(`Host: ${host}\r\n`));
  for (const [name, value] of headers) lines.push(Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n')]));
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  if (body && !names.has('content-length') && !names.has('transfer-encoding')) lines.push(Buffer.from(`Content-Length: ${body.length}\r\n`));
  lines.push(Buffer.from(body ? '\r\n' : 'Connection: close\r\n\r\n'));
  if (body) lines.push(body);
  return Buffer.concat(lines);
}

/** Parses the last non-1xx response of what the socket received (bodies are kept raw, chunked or not). */
function parseAnswer(raw: Buffer, method = 'GET'): RawAnswer & { complete: boolean } {
  let text = raw.toString('latin1');
  for (;;) {
    const end = text.indexOf('\r\n\r\n');
    if (end === -1) return { status: 0, headers: {}, body: text, error: 'incomplete response', complete: false };
    const [statusLine = '', ...headerLines] = text.slice(0, end).split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const rest = text.slice(end + 4);
    if (status >= 100 && status < 200) {
      text = rest;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = Buffer.from(rest, 'latin1');
    const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    const complete =
      method === 'HEAD' || status === 204 || status === 304
        ? true
        : length !== undefined
          ? body.length >= length
          : /chunked/i.test(headers['transfer-encoding'] ?? '') && rest.endsWith('0\r\n\r\n');
    return { status, headers, body: body.toString('utf8'), complete };
  }
}

/**
 * Sends raw bytes (optionally in timed pieces, for slow clients) and collects the answer until it is
 * complete, the server closes the connection, or `timeoutMs` passes.
 */
export function rawExchange(port: number, request: RawRequest | Buffer[], options: { timeoutMs?: number; pieceDelayMs?: number } = {}): Promise<RawAnswer> {
  const pieces = Array.isArray(request) ? request : [requestBytes(request, `127.0.0.1:${port}`)];
  const method = Array.isArray(request) ? 'GET' : request.method;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const { complete: _complete, ...answer } = parseAnswer(Buffer.concat(received), method);
      resolve(answer.status === 0 && error ? { ...answer, error } : answer);
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (parseAnswer(Buffer.concat(received), method).complete) finish();
    });
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.once('connect', async () => {
      for (const [index, piece] of pieces.entries()) {
        if (index > 0 && options.pieceDelayMs) await new Promise((wait) => setTimeout(wait, options.pieceDelayMs));
        if (settled || socket.destroyed) return;
        socket.write(piece);
      }
    });
  });
}
