// Not a benchmark: profiles one page in-process (no network), for finding where a page's time
// goes. Prints the server's CPU time per request and the wall time per request, one at a time.
//   DATABASE_URL=… node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-page.ts \
//     --path /sign-off --email manager@… [--requests 500]
import { loadConfig } from '../src/app/config.ts';
import { buildServer } from '../src/app/compose.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { createSessionStore, SESSION_COOKIE } from '../src/platform/auth/sessions.ts';
import { arg, numberArg } from './support.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL');
const path = arg('path', '/sign-off');
const email = arg('email', '');
const requests = numberArg('requests', 500);
const db = await openDatabase({ databaseUrl: url, poolSize: 10 });
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  DATABASE_URL: url,
  SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-42',
});
const app = await buildServer({ config, db, now: () => new Date() });
const user = await db.system
  .selectFrom('users')
  .select(['id', 'partnership_id'])
  .where('email', '=', email)
  .executeTakeFirstOrThrow();
const { token } = await createSessionStore(db, 8, () => new Date()).create(
  user.id,
  user.partnership_id,
);
const cookie = `${SESSION_COOKIE}=${token}`;
const once = async () => {
  const r = await app.inject({ method: 'GET', url: path, headers: { cookie } });
  if (r.statusCode !== 200) throw new Error(`${path}: ${String(r.statusCode)}`);
};
for (let i = 0; i < 50; i++) await once();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < requests; i++) await once();
const wall = (performance.now() - t0) / requests;
const cpu = process.cpuUsage(cpu0);
console.log(
  `${path}: ${wall.toFixed(2)} ms wall, ${((cpu.user + cpu.system) / 1000 / requests).toFixed(2)} ms CPU in Node, per request`,
);
await app.close();
await db.close();
