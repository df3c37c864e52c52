/**
 * The contract between the app and the AWS load balancer in front of it: the one place these numbers live.
 * The CDK stack (deploy/), the app's configuration defaults, the health route and the doctor all read them,
 * and test/deploy/ fails when any of those disagree. The seed incident was exactly such a disagreement
 * (a target group probing `/` on port 80 while the app listened on 8080).
 *
 * It lives under src/ so the server can import it without importing any deploy tooling.
 */
export const albContract = {
  /** The target group's port, which must be the port the app listens on. */
  targetPort: 8080,
  /** Public, answered before auth, rate limits, body parsing and the database. */
  healthCheckPath: '/ajax/health/',
  healthyHttpCodes: '200',
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  deregistrationDelaySeconds: 30,
  /** How long the ALB keeps an idle connection, to the client and to the target. */
  idleTimeoutSeconds: 60,
} as const;

/** The strict readiness check (database included), next to the liveness path the ALB probes. */
export const readinessPath = `${albContract.healthCheckPath}ready`;

const seconds = 1000;
/** Time for the ALB to see a draining target fail: `unhealthy threshold × interval`. */
const albNoticesUnhealthyMs = albContract.unhealthyThresholdCount * albContract.healthCheckIntervalSeconds * seconds;

/** The app's defaults that follow from the contract (src/config.ts uses them; the environment may override). */
export const appDefaults = {
  port: albContract.targetPort,
  // Longer than the ALB's idle timeout, so the ALB always closes an idle connection first: a socket Node
  // closed while the ALB reuses it is a random 502.
  keepAliveTimeoutMs: albContract.idleTimeoutSeconds * seconds + 5 * seconds,
  // Node requires the headers timeout to exceed the keep-alive timeout.
  headersTimeoutMs: albContract.idleTimeoutSeconds * seconds + 6 * seconds,
  // After SIGTERM health answers 503 this long: the ALB has marked the target unhealthy (with one probe of
  // slack) and stopped routing to it before the listener closes.
  productionShutdownDrainMs: albNoticesUnhealthyMs + 5 * seconds,
} as const;
