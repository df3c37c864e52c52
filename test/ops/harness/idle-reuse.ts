import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Haproxy } from './haproxy.ts';
import { failureKind, send } from './load.ts';

export interface IdleReuseLane {
  /** How long the lane's connections sit idle before they are used again. */
  idleMs: number;
  label: string;
}

export interface LaneResult extends IdleReuseLane {
  /** Connections HAProxy still held for the lane when its second burst left. */
  pooledBeforeReuse: number;
  failures: string[];
}

/**
 * One round: every lane (its own HAProxy backend, so its own pool of connections to the same server)
 * sends a burst of concurrent requests, leaves the connections idle for the lane's time, then sends a
 * second burst over them. Lanes run at once, so one round covers every idle time; the bursts are what
 * real traffic looks like at the instant the server times a connection out.
 */
export async function idleReuseRound(haproxy: Haproxy, lanes: IdleReuseLane[], burst: number, path: string): Promise<LaneResult[]> {
  return Promise.all(
    lanes.map(async (lane, index) => {
      // Staggered starts keep the opening bursts within the server's accept backlog.
      await sleep(index * 10);
      const agent = new Agent({ keepAlive: true, maxSockets: burst });
      const headers = { 'X-Lane': String(index) };
      const sendBurst = () => Promise.all(Array.from({ length: burst }, () => send(haproxy.port, agent, { method: 'GET', path, headers })));
      const warmUp = await sendBurst();
      await sleep(lane.idleMs);
      const pooledBeforeReuse = (await haproxy.stats()).find((stat) => stat.backend === `lane${index}`)?.idleConnections ?? -1;
      const reuse = await sendBurst();
      agent.destroy();
      const failures = [...warmUp, ...reuse].filter((outcome) => outcome.status !== 200).map(failureKind);
      return { ...lane, pooledBeforeReuse, failures };
    }),
  );
}
