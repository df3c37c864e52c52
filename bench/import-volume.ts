// Fills a fresh database of the original forum's schema on the local MariaDB with a large data set, for
// measuring `npm run import` (README, "Import" → speed). Prints the mysql:// URL to import from:
//   npm exec -- node bench/import-volume.ts [users=200] [posts=20000] [recommends=50000]
//   npm run import -- --from "$(npm exec -- node bench/import-volume.ts 50 500 1000)"
import { createOriginalForum } from '../test/import/original-forum.ts';
const forum = await createOriginalForum();
const users = Number(process.argv[2] ?? 200), posts = Number(process.argv[3] ?? 20000), recs = Number(process.argv[4] ?? 50000);
const chunk = async (n: number, make: (i: number) => unknown[], sql: string, width: number) => {
  for (let s = 0; s < n; s += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - s) }, (_, k) => make(s + k));
    await forum.query(`${sql} VALUES ${rows.map(() => `(${Array(width).fill('?').join(',')})`).join(',')}`, rows.flat());
  }
};
await chunk(users, (i) => [`user${String(i).padStart(5, '0')}`, i % 10 === 0 ? 'oauth' : `password${i}!`, `닉네임${i}`, `u${i}@example.com`, i % 50 === 0 ? 3 : 2], 'INSERT INTO `user`', 5);
await forum.query("INSERT INTO subject VALUES ('free','자유','<p>x</p>','user00000',0),('dev','개발','','user00000',0)");
const body = '<p>' + '한국어 본문 텍스트와 <b>굵게</b> 그리고 <a href="https://example.com">링크</a>. '.repeat(20) + '</p>';
await chunk(posts, (i) => [i + 1, i % 2 ? 'free' : 'dev', Math.floor(i / 2), `user${String(i % users).padStart(5, '0')}`, `닉네임${i % users}`, `제목 ${i}`, i % 97 === 0 ? body + '<script>x()</script>' : body, i % 100, 0, '2023-01-01 10:00:00', null, i % 13 === 0 ? 'abc123' : null, i % 31 === 0 ? 1 : 0], 'INSERT INTO board (bno,sid,s_bno,user_id,writer,title,content,view,recommend,reg_date,update_date,pw,deleted)', 13);
await chunk(recs, (i) => [i + 1, (i * 7919) % posts + 1, `user${String(i % users).padStart(5, '0')}`], 'INSERT INTO recommend (rno,bno,user_id)', 3);
console.log(forum.url);
process.exit(0);
