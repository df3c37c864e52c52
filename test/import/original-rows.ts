import type { OriginalForum } from './original-forum.ts';

/** The original's accounts with their plaintext passwords, as the original stored them (forum-api.md §5.4). */
export const originalUsers = {
  alice: { id: 'alice01', pw: 'alicePass1!', nick: '앨리스짱짱', email: 'alice@example.com', auth: 2 },
  // Same address as alice but for the case (MySQL allowed it: no unique key); bob's auth is lower, so he loses it.
  bob: { id: 'bob123', pw: 'bobPassword9', nick: 'Bobby', email: 'ALICE@example.com', auth: 1 },
  // 'bobby' vs 'Bobby': distinct under the nick column's binary collation, the same nick for us.
  carol: { id: 'carol99', pw: 'carolPass99', nick: 'bobby', email: 'carol@example.com', auth: 2 },
  admin: { id: 'admin01', pw: 'adminPass1!', nick: 'Administrator', email: 'admin@example.com', auth: 3 },
  // An account the original's OAuth login created.
  oauth: { id: 'id_0123456789abcde', pw: 'oauth', nick: 'user_0123456789abcde', email: 'oauth.user@gmail.com', auth: 2 },
  // Written by hand into the original's table: our migration 002 has its own guest.
  guest: { id: 'guest', pw: 'guestguest', nick: 'guest', email: 'guest@guest.guest', auth: 3 },
  // Collides with our guest's nick.
  dave: { id: 'dave777', pw: 'davePass777', nick: 'GUEST', email: 'dave@example.com', auth: 2 },
} as const;

export const hashedUserCount = 5;

const post = (bno: number, sid: string, sBno: number, userId: string, writer: string | null, title: string, content: string, extra: Partial<Record<string, unknown>> = {}) => ({
  bno, sid, s_bno: sBno, user_id: userId, writer, title, content, view: 0, recommend: 0, reg_date: '2023-05-01 09:30:00', update_date: null, pw: null, deleted: 0, ...extra,
});

export const originalPosts = [
  post(1, 'free', 0, 'alice01', '앨리스짱짱', '첫 글입니다', '<p>안녕하세요, <b>반가워요</b></p>', { view: 10, recommend: 2 }),
  post(2, 'free', 1, 'bob123', 'Bobby', 'only me', '<p>only the author</p>', { pw: 'nonpw', reg_date: '2023-05-02 23:59:59' }),
  post(3, 'free', 2, 'carol99', 'bobby', 'with a code', '<p>behind a code</p>', { pw: 'AbC123', view: 1, reg_date: '2023-05-03 00:00:01', update_date: '2023-06-01 12:00:00' }),
  post(5, 'free', 3, 'alice01', '앨리스짱짱', 'deleted', '<p>gone</p>', { deleted: 1 }),
  post(6, 'free', 4, 'alice01', '앨리스짱짱', 'xss', '<p>ok</p><img src="x" onerror="steal()"><script>steal()</script>'),
  post(7, 'notice', 0, 'admin01', 'Administrator', '공지', '<p>notice</p>', { view: 100, recommend: 3, reg_date: '2022-12-31 23:00:00' }),
  // The original's guest login (id guest, no row) could post: writer NULL.
  post(8, 'notice', 2, 'guest', null, 'guest post', '<p>by the guest</p>'),
  // MySQL keeps a NUL (and other C0 controls) in text; PostgreSQL cannot store a NUL (issue 14).
  post(9, 'free', 5, 'ghost42', 'Ghost', 'author\u0000 gone', '<p>whose?\u0000\u001b</p>\t\n'),
  post(10, 'oldboard', 0, 'alice01', '앨리스짱짱', 'subject gone', '<p>where?</p>'),
];

export const originalRecommends = [
  { rno: 1, bno: 1, user_id: 'bob123' },
  { rno: 2, bno: 1, user_id: 'carol99' },
  { rno: 3, bno: 1, user_id: 'bob123' },
  { rno: 4, bno: 7, user_id: 'alice01' },
  { rno: 5, bno: 99, user_id: 'alice01' },
  { rno: 6, bno: 3, user_id: 'nobody9' },
];

/** Fills the original's tables with rows carrying its edge cases (see each comment above). */
export async function fillOriginalForum(forum: OriginalForum): Promise<void> {
  for (const user of Object.values(originalUsers)) {
    await forum.query('INSERT INTO `user` (id, pw, nick, email, auth) VALUES (?, ?, ?, ?, ?)', [user.id, user.pw, user.nick, user.email, user.auth]);
  }
  await forum.query('INSERT INTO subject (id, title, description, admin, btotal) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)', [
    'free', '자유게시판', '<p onclick="steal()">아무 이야기</p><script>alert(1)</script>', 'admin01', 6,
    // Behind its posts (s_bno 2 exists): the original's counter update was not transactional.
    'notice', '공지\u0000사항', '<p>Announcements</p>', 'admin01', 1,
  ]);
  for (const row of originalPosts) {
    const columns = Object.keys(row);
    await forum.query(`INSERT INTO board (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row));
  }
  for (const row of originalRecommends) await forum.query('INSERT INTO recommend (rno, bno, user_id) VALUES (?, ?, ?)', [row.rno, row.bno, row.user_id]);
}
