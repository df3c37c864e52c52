/**
 * The deploy side of the ALB contract. The values live in src/alb-contract.ts so the server can import
 * them without pulling in deploy tooling; the CDK stack, the systemd unit's test and the doctor read the
 * same object, and test/deploy/contract.test.ts fails when any of them disagree.
 */
export { albContract, appDefaults, readinessPath } from '../src/alb-contract.ts';
