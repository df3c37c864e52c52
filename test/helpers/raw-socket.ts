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

/** Builds the request bytes; `Connection: close` ends every exchange, so the answer ends with the socket. */
export function requestBytes(request: RawRequest, host: string): Buffer {
  const lines: Buffer[] = [Buffer.concat([Buffer.from(`${request.method} `), Buffer.from(request.target), Buffer.from(' HTTP/1.1\r\n')])];
  const headers = request.headers ?? [];
  const names = new Set(headers.map(([name]) => name.toLowerCase()));
  if (!names.has('host')) lines.push(Buffer.from(`Host: ${host}\r\n`));
  for (const [name, value] of headers) lines.push(Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n')]));
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  if (body && !names.has('content-length') && !names.has('transfer-encoding')) lines.push(Buffer.from(`Content-Length: ${body.length}\r\n`));
  lines.push(Buffer.from('Connection: close\r\n\r\n'));
  if (body) lines.push(body);
  return Buffer.concat(lines);
}

/** Parses the last non-1xx response of what the socket received (bodies are kept raw, chunked or not). */
export function parseAnswer(raw: Buffer): RawAnswer {
  let text = raw.toString('latin1');
  for (;;) {
    const end = text.indexOf('\r\n\r\n');
    if (end === -1) return { status: 0, headers: {}, body: text, error: 'incomplete response' };
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
    return { status, headers, body: Buffer.from(rest, 'latin1').toString('utf8') };
  }
}

/**
 * Sends raw bytes (optionally in timed pieces, for slow clients) and collects the answer until the server
 * closes the connection or `timeoutMs` passes.
 */
export function rawExchange(port: number, request: RawRequest | Buffer[], options: { timeoutMs?: number; pieceDelayMs?: number } = {}): Promise<RawAnswer> {
  const pieces = Array.isArray(request) ? request : [requestBytes(request, `127.0.0.1:${port}`)];
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const answer = parseAnswer(Buffer.concat(received));
      resolve(answer.status === 0 && error ? { ...answer, error } : answer);
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
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
