import type { BoardRow, ListedBoardRow } from './repository.ts';
import type { BoardJson } from './schemas.ts';

export const isAuthor = (viewer: Express.User | undefined, board: Pick<BoardRow, 'user_id'>): boolean => viewer?.id === board.user_id;

/**
 * A post as one reader may see it: the author is told so by `user_id: "id"` (the real id is never sent)
 * and sees the real secret value; everyone else sees "pw" for a secret post.
 */
export function boardJson(board: BoardRow, viewer: Express.User | undefined): BoardJson {
  const author = isAuthor(viewer, board);
  return {
    bno: board.bno,
    sid: board.sid,
    s_bno: board.s_bno,
    user_id: author ? 'id' : null,
    writer: board.writer,
    title: board.title,
    content: board.content,
    view: board.view,
    recommend: board.recommend,
    reg_date: board.reg_date,
    update_date: board.update_date,
    pw: board.pw === null || author ? board.pw : 'pw',
    deleted: board.deleted,
  };
}

/** A list entry: the keys the original filled, the others null; every secret post says "pw". */
export function listItemJson(board: ListedBoardRow): BoardJson {
  return {
    bno: board.bno,
    sid: null,
    s_bno: board.s_bno,
    user_id: null,
    writer: board.writer,
    title: board.title,
    content: null,
    view: board.view,
    recommend: board.recommend,
    reg_date: board.reg_date,
    update_date: null,
    pw: board.pw === null ? null : 'pw',
    deleted: null,
  };
}
