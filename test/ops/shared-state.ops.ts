import { describeSharedState } from './harness/shared-state.ts';

describeSharedState('Two instances behind the load balancer, limits counted in PostgreSQL');
