import { createHash } from 'node:crypto';
import type { TaggedJson } from '../../http/revalidated.ts';
import type { Subject } from './schemas.ts';

/** The subjects list as the front end receives it: the JSON bytes, and an ETag derived from them. */
export type SubjectListing = TaggedJson;

export interface SubjectListingCache {
  /** The cached listing, or a fresh one from `load` (one load at a time, shared by every waiting request). */
  current(load: () => Promise<Subject[]>): Promise<SubjectListing>;
  /** Called after every subject write: the next request loads again. */
  invalidate(): void;
}

function toListing(subjects: Subject[]): SubjectListing {
  const json = Buffer.from(JSON.stringify(subjects));
  // A hash of the bytes, not a version number: every instance behind the load balancer gives equal lists the same tag.
  const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
  return { json, etag };
}

/**
 * Every page of the front end lists the subjects, and they change a few times a year: the list is kept
 * serialised in process. Writes through this process invalidate it at once; writes through another instance
 * (or straight into the database) show up within `maxAgeMs`.
 */
export function subjectListingCache(maxAgeMs: number): SubjectListingCache {
  let cached: { listing: SubjectListing; loadedAt: number } | undefined;
  let loading: Promise<SubjectListing> | undefined;
  // Bumped by every write, so a load that started before the write can never store what it read.
  let generation = 0;

  async function reload(load: () => Promise<Subject[]>): Promise<SubjectListing> {
    const startedIn = generation;
    const startedAt = performance.now();
    try {
      const listing = toListing(await load());
      if (startedIn === generation) cached = { listing, loadedAt: startedAt };
      return listing;
    } finally {
      if (startedIn === generation) loading = undefined;
    }
  }

  return {
    current(load) {
      if (cached !== undefined && performance.now() - cached.loadedAt < maxAgeMs) return Promise.resolve(cached.listing);
      loading ??= reload(load);
      return loading;
    },
    invalidate() {
      generation++;
      cached = undefined;
      loading = undefined;
    },
  };
}
