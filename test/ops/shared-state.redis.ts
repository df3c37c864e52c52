import { testRedisUrl } from '../setup/tiers.ts';
import { describeSharedState } from './harness/shared-state.ts';

describeSharedState(`Two instances behind the load balancer, limits counted in the Redis at ${testRedisUrl}`, { REDIS_URL: testRedisUrl });
