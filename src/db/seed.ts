import type { Db } from './database.ts';

// A few subjects so a fresh embedded install shows a working forum. Runs only on the embedded database
// (the benchmark writes the same rows into PostgreSQL, so every case serves the same JSON).
export const seedSubjects = [
  { id: 'notice', title: '공지사항', description: '<p>Announcements from the forum team.</p>', admin: 'admin' },
  { id: 'free', title: '자유게시판', description: '<p>Talk about anything.</p>', admin: 'admin' },
  { id: 'dev', title: '개발', description: '<p>Programming, tools and the forum itself.</p>', admin: 'admin' },
];

export async function seedEmbeddedDatabase(db: Db): Promise<void> {
  await db
    .insertInto('subject')
    .values(seedSubjects)
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}
