import { NetworkError, timeoutCode } from './http.ts';

/** Rejects with ETIMEDOUT when `work` has not settled within `ms`; `cancel` releases what it holds. */
export function withDeadline<T>(work: Promise<T>, ms: number, cancel: () => void = () => undefined): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      cancel();
      reject(new NetworkError(timeoutCode, `no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export const elapsed = (started: number) => Math.round(performance.now() - started);
