// withDeadline lives in http.ts (send() uses it, and http.ts must not import this module back).
export const elapsed = (started: number) => Math.round(performance.now() - started);
