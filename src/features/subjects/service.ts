import { cleanUserHtml } from '../../content/cleaner.ts';
import { errors } from '../../http/errors.ts';
import type { AccountService } from '../accounts/service.ts';
import { taggedJson, type TaggedJson } from '../../http/revalidated.ts';
import type { ResponseCache } from '../../http/response-cache.ts';
import type { SubjectRepository, SubjectRow } from './repository.ts';
import type { NewSubject, Subject, SubjectUpdate } from './schemas.ts';

export interface SubjectDependencies {
  subjects: SubjectRepository;
  accounts: Pick<AccountService, 'account'>;
  /** The serialised list, shared by every service instance (transactions make their own). */
  listing: ResponseCache<TaggedJson>;
}

// btotal is not sent: the original never selected it, so its JSON always said 0.
const toSubject = (row: SubjectRow): Subject => ({ ...row, btotal: 0 });

export function subjectService({ subjects, accounts, listing }: SubjectDependencies) {
  /** The subject's moderator must be a real account (the original stored any text). */
  async function requireAccount(id: string): Promise<void> {
    if ((await accounts.account(id)) === null) throw errors.subjectAdminNotFound();
  }

  /** A subject write: the cached list is dropped after it. */
  const write = <T>(change: Promise<T>): Promise<T> => listing.invalidatedBy(change);

  return {
    /** Every subject, serialised (from the in-process cache that every subject write below invalidates). */
    all(): Promise<TaggedJson> {
      return listing.get('all', async () => taggedJson((await subjects.listAll()).map(toSubject)));
    },

    async get(sid: string): Promise<Subject> {
      const row = await subjects.find(sid);
      if (row === undefined) throw errors.subjectNotFound();
      return toSubject(row);
    },

    /** Creates a subject and answers its id. */
    async register(caller: Express.User, input: NewSubject): Promise<string> {
      if (caller.role !== 'ROLE_ADMIN') throw errors.adminOnly();
      await requireAccount(input.admin);
      const description = await cleanUserHtml(input.description, 'description');
      const created = await write(subjects.insert({ ...input, description }));
      if (!created) throw errors.subjectExists();
      return input.id;
    },

    async update(caller: Express.User, input: SubjectUpdate): Promise<void> {
      const current = await subjects.find(input.id);
      if (current === undefined) throw errors.subjectNotFound();
      if (caller.role !== 'ROLE_ADMIN' && caller.id !== current.admin) throw errors.notSubjectAdmin();
      // Only a new admin is checked: imported or seeded subjects may name an account that is gone.
      if (input.admin !== current.admin) await requireAccount(input.admin);
      const description = await cleanUserHtml(input.description, 'description');
      const updated = await write(subjects.update({ ...input, description }));
      if (!updated) throw errors.subjectNotFound();
    },

    async remove(caller: Express.User, sid: string): Promise<void> {
      if (caller.role !== 'ROLE_ADMIN') throw errors.adminOnly();
      const outcome = await write(subjects.delete(sid));
      if (outcome === 'missing') throw errors.subjectNotFound();
      if (outcome === 'has-posts') throw errors.subjectHasPosts();
    },

    /**
     * For board creation, inside its transaction: locks the subject row (SELECT … FOR UPDATE) so concurrent
     * posts take numbers one after another. Undefined when the subject does not exist. The counter (btotal) is
     * not in the listing (it always says 0), so it leaves the cached list alone.
     */
    lockPostCounter: (sid: string): Promise<number | undefined> => subjects.lockPostCounter(sid),
    setPostCounter: (sid: string, next: number): Promise<void> => subjects.setPostCounter(sid, next),
  };
}

export type SubjectService = ReturnType<typeof subjectService>;
