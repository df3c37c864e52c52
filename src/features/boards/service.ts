import { createHash, timingSafeEqual } from 'node:crypto';
import { cleanUserHtml } from '../../content/cleaner.ts';
import { errors } from '../../http/errors.ts';
import { taggedJson, type TaggedJson } from '../../http/revalidated.ts';
import type { ResponseCache } from '../../http/response-cache.ts';
import type { AccountService } from '../accounts/service.ts';
import type { SubjectService } from '../subjects/service.ts';
import { boardJson, isAuthor, listItemJson } from './board-json.ts';
import type { BoardRepository, BoardRow } from './repository.ts';
import type { BoardJson, BoardUpdate, NewBoard } from './schemas.ts';
import type { ViewCounter } from './view-counter.ts';

export const pageSize = 30;

export interface BoardTransactionScope {
  boards: BoardRepository;
  subjects: Pick<SubjectService, 'lockPostCounter' | 'setPostCounter'>;
}

/** Runs `work` in one database transaction, with every repository bound to it. */
export type InTransaction = <T>(work: (scope: BoardTransactionScope) => Promise<T>) => Promise<T>;

/** A list page as sent: the serialised items, and the subject's number of live posts (X-Total-Count). */
export type BoardPage = TaggedJson & { total: number };

/**
 * A post as read for `board/read`, shared by the reads it is cached for: `views` is the count the next
 * reader is shown (the row's, plus the views counted here since that the row did not include yet).
 */
export interface ReadPost {
  row: BoardRow | undefined;
  views: number;
}

/** Posts longer than this are read from the database each time instead of being held in memory. */
export const largestCachedPost = 16_384;

export interface BoardDependencies {
  boards: BoardRepository;
  accounts: Pick<AccountService, 'account'>;
  inTransaction: InTransaction;
  /** List pages by subject and page number; every post write below empties it. */
  pages: ResponseCache<BoardPage>;
  /** Posts as `board/read` answers them, by bno; every post write below empties it too. */
  posts: ResponseCache<ReadPost>;
  views: ViewCounter;
}

// Unverified accounts wait for their mail link (the original refused every role but these two; guests are new).
const rolesThatPost = new Set<string>(['ROLE_ADMIN', 'ROLE_USER_CERT', 'ROLE_GUEST']);

const mayBypassSecret = (viewer: Express.User | undefined, board: BoardRow): boolean =>
  viewer?.role === 'ROLE_ADMIN' || isAuthor(viewer, board);

// Hashing first gives equal-length inputs, so the comparison takes the same time whatever the stored value.
const sameCode = (stored: string, supplied: string): boolean =>
  timingSafeEqual(createHash('sha256').update(stored).digest(), createHash('sha256').update(supplied).digest());

/** The original refused a post that was nothing but a script or iframe tag; sanitizing alone would store it empty. */
async function cleanContent(content: string): Promise<string> {
  const html = await cleanUserHtml(content, 'content');
  if (html.trim() === '' && content.trim() !== '') {
    throw errors.contentNotAllowed('content');
  }
  return html;
}

export function boardService({ boards, accounts, inTransaction, pages, posts, views }: BoardDependencies) {
  /** The post, unless it does not exist or was deleted: both are 404 (the original answered 500 for unknown). */
  async function livePost(bno: number): Promise<BoardRow> {
    const board = await boards.find(bno);
    if (board === undefined || board.deleted) throw errors.boardNotFound();
    return board;
  }

  async function accountOf(caller: Express.User) {
    const account = await accounts.account(caller.id);
    if (account === null) throw errors.unknownAccount();
    return account;
  }

  /** A post write: the cached list pages and posts are dropped after it. */
  const write = <T>(change: Promise<T>): Promise<T> => pages.invalidatedBy(posts.invalidatedBy(change));

  /** The post as the next reader sees it, from memory for a while (BOARD_POST_CACHE_MS). */
  const readPost = (bno: number): Promise<ReadPost> =>
    posts.get(String(bno), async () => {
      const row = await boards.find(bno);
      return { row, views: (row?.view ?? 0) + views.unwritten(bno) };
    });

  return {
    /** Check the caller may post → clean the content → take the subject's next number → insert → the new bno. */
    async create(caller: Express.User, input: NewBoard): Promise<number> {
      if (!rolesThatPost.has(caller.role)) throw errors.cannotPost();
      const { nick } = await accountOf(caller);
      const content = await cleanContent(input.content);
      return write(inTransaction(async (tx) => {
        const counter = await tx.subjects.lockPostCounter(input.sid);
        if (counter === undefined) throw errors.subjectNotFound();
        // A btotal behind the posts (imported data) would collide on (sid, s_bno); the original retried instead.
        const sBno = Math.max(counter, await tx.boards.nextSBno(input.sid));
        await tx.subjects.setPostCounter(input.sid, sBno + 1);
        return tx.boards.insert({ sid: input.sid, s_bno: sBno, user_id: caller.id, writer: nick, title: input.title, content, pw: input.pw });
      }));
    },

    /**
     * Page 1 = the newest 30 live posts, returned oldest first (the front end reverses the array). Pages are
     * cached briefly: view counts may lag by that much, everything a write changes shows at once.
     */
    list(sid: string, page: number): Promise<BoardPage> {
      return pages.get(`${sid}\n${page}`, async () => {
        const [rows, total] = await Promise.all([boards.page(sid, page, pageSize), boards.countLive(sid)]);
        return { ...taggedJson(rows.reverse().map((row) => listItemJson(row))), total };
      });
    },

    /**
     * Counts a view and answers the post as it was before the count; secret posts only for their author and
     * admins. The post may come from memory (BOARD_POST_CACHE_MS) and the view be written with the next batch
     * (BOARD_VIEW_FLUSH_MS).
     */
    async read(viewer: Express.User | undefined, bno: number): Promise<BoardJson> {
      const post = await readPost(bno);
      const board = post.row;
      if (board === undefined || board.deleted) throw errors.boardNotFound();
      if (board.pw !== null && !mayBypassSecret(viewer, board)) {
        throw board.pw === 'nonpw' ? errors.secretPostOwnerOnly() : errors.secretPostNeedsCode();
      }
      const view = post.views++;
      await views.count(bno);
      return { ...boardJson(board, viewer), view };
    },

    /**
     * Opens a secret post with its code (any reader, the author included, as in the original). A public post
     * has nothing to open and is simply answered. Like the original, this does not count a view.
     */
    async readSecret(viewer: Express.User | undefined, bno: number, code: string): Promise<BoardJson> {
      const board = await livePost(bno);
      if (board.pw !== null && !sameCode(board.pw, code)) throw errors.wrongSecretCode();
      return boardJson(board, viewer);
    },

    async update(caller: Express.User, input: BoardUpdate): Promise<void> {
      const board = await livePost(input.bno);
      if (!isAuthor(caller, board)) throw errors.notBoardAuthor();
      const content = await cleanContent(input.content);
      const edited = await write(boards.edit(input.bno, { title: input.title, content, pw: input.pw }));
      if (!edited) throw errors.boardNotFound();
    },

    /** Soft delete, by the author or an administrator. */
    async remove(caller: Express.User, bno: number): Promise<void> {
      const board = await livePost(bno);
      if (caller.role !== 'ROLE_ADMIN' && !isAuthor(caller, board)) throw errors.notBoardAuthorOrAdmin();
      if (!(await write(boards.softDelete(bno)))) throw errors.boardNotFound();
    },

    /** One recommendation per account and post: the row and the counter change together or not at all. */
    async recommend(caller: Express.User, bno: number): Promise<void> {
      if (caller.role === 'ROLE_GUEST') throw errors.guestCannotRecommend();
      const board = await livePost(bno);
      if (board.pw !== null && !mayBypassSecret(caller, board)) throw errors.secretPostNeedsCode();
      await accountOf(caller);
      await write(
        inTransaction(async (tx) => {
          if (!(await tx.boards.addRecommend(bno, caller.id))) throw errors.alreadyRecommended();
          if (!(await tx.boards.incrementRecommend(bno))) throw errors.boardNotFound();
        }),
      );
    },
  };
}

export type BoardService = ReturnType<typeof boardService>;
