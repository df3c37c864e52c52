/** Hits of one rate limit and key (`<limit name>:<client key>`) in the window ending at reset_at. */
export interface RateLimitCounterTable {
  key: string;
  hits: number;
  reset_at: Date;
}
