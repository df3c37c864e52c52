import { tierSetup } from './tiers.ts';

export const { globalSetup, globalTeardown } = tierSetup('redis');
