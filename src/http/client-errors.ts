import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.ts';
import { exposedHeaders } from './cors.ts';
import { errors, type ApiError } from './errors.ts';

type ClientError = Error & { code?: string; rawPacket?: Buffer };

function apiErrorFor(error: ClientError): ApiError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge();
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout();
  return errors.unparseableRequest();
}

// The parser gave up, so there are no parsed headers: the Origin is looked for in the bytes it was given.
function originIn(rawPacket: Buffer | undefined): string | undefined {
  const match = rawPacket && /\r\norigin:[ \t]*([^\r\n]*)/i.exec(rawPacket.toString('latin1'));
  return match?.[1]?.trim();
}

/**
 * Answers the requests Node's HTTP parser refuses (invalid bytes, headers over the size limit, too slow)
 * in our error format, with an X-Request-Id and, for an allowed Origin, the CORS headers. Node's own bare
 * 400/431/408 has neither, so it looked like a load balancer error and reached the browser as a "CORS error".
 */
export function answerClientError(corsOrigins: readonly string[], logger: Logger): (error: ClientError, socket: Duplex) => void {
  const allowed = new Set(corsOrigins);
  return (error, socket) => {
    const responding = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || responding) {
      socket.destroy();
      return;
    }
    const apiError = apiErrorFor(error);
    const requestId = randomUUID();
    const body = JSON.stringify({ error: { code: apiError.code, message: apiError.message, requestId } });
    const origin = originIn(error.rawPacket);
    const cors =
      origin !== undefined && allowed.has(origin)
        ? [`Access-Control-Allow-Origin: ${origin}`, 'Access-Control-Allow-Credentials: true', `Access-Control-Expose-Headers: ${exposedHeaders.join(',')}`]
        : [];
    const head = [
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Cache-Control: no-store',
      'Vary: Origin',
      ...cors,
      'Connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    // The access-log line these requests never get, so the id in the answer leads somewhere.
    logger.info({ req: { id: requestId }, res: { statusCode: apiError.status }, errorCode: apiError.code, parserError: error.code }, `${apiError.status} refused by the HTTP parser`);
  };
}
