import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * At most `perTurn` requests start in one turn of the event loop; the rest wait for the next turn
 * (setImmediate), in arrival order. When 50 keep-alive connections send at once, Node parses all 50 requests in
 * one poll phase and would run every handler before it reads another socket: a health probe that arrives then
 * waits behind all of them. Bounded, the loop goes back to its sockets after `perTurn` handlers, and the probe
 * (answered before this, src/app.ts) is read and answered between two batches.
 */
export function boundedTurns(handle: RequestListener, perTurn: number): RequestListener {
  let startedThisTurn = 0;
  let turnEndScheduled = false;
  const waiting: Array<[IncomingMessage, ServerResponse]> = [];
  let next = 0;

  const endOfTurn = () => {
    turnEndScheduled = false;
    startedThisTurn = 0;
    while (next < waiting.length && startedThisTurn < perTurn) {
      const [req, res] = waiting[next]!;
      waiting[next] = undefined as never;
      next += 1;
      startedThisTurn += 1;
      handle(req, res);
    }
    if (next === waiting.length) {
      waiting.length = 0;
      next = 0;
    }
    // This turn's count: requests started now and in the poll phase ahead share it.
    if (startedThisTurn > 0) scheduleEndOfTurn();
  };
  const scheduleEndOfTurn = () => {
    if (turnEndScheduled) return;
    turnEndScheduled = true;
    setImmediate(endOfTurn);
  };

  return (req, res) => {
    if (startedThisTurn < perTurn && next === waiting.length) {
      startedThisTurn += 1;
      scheduleEndOfTurn();
      handle(req, res);
    } else {
      waiting.push([req, res]);
      scheduleEndOfTurn();
    }
  };
}
