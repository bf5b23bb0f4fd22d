// pooled users create: an administrator-set password the user must change at first sign-in.
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import type { Config } from './config.js';
import type { Db } from '../platform/db/database.js';
import { hashPassword } from '../platform/auth/passwords.js';
import { RoleSchema } from '../platform/auth/roles.js';

type WithDb = <T>(config: Config, fn: (db: Db) => Promise<T>) => Promise<T>;

export function createUserCommand(config: Config, withDb: WithDb): Command {
  const users = new Command('users').description('Manage user accounts');
  users
    .command('create')
    .description('Create a user; prints a temporary password they must change at first sign-in')
    .requiredOption('--partnership <code>', 'partnership code, for example demo')
    .requiredOption('--email <email>', 'email address (their sign-in)')
    .requiredOption('--name <name>', 'full name')
    .option('--role <role...>', `roles: ${RoleSchema.options.join(', ')}`, [])
    .option('--password <password>', 'temporary password (default: a random one)')
    .action(
      async (opts: {
        partnership: string;
        email: string;
        name: string;
        role: string[];
        password?: string;
      }) => {
        const roles = opts.role.map((r) => {
          const parsed = RoleSchema.safeParse(r);
          if (!parsed.success)
            throw new Error(`Unknown role "${r}". Roles: ${RoleSchema.options.join(', ')}`);
          return parsed.data;
        });
        const password = opts.password ?? randomBytes(12).toString('base64url');
        await withDb(config, async (db) => {
          const partnership = await db.system
            .selectFrom('partnerships')
            .select('id')
            .where('code', '=', opts.partnership)
            .executeTakeFirst();
          if (!partnership) throw new Error(`No partnership with code "${opts.partnership}"`);
          const hash = await hashPassword(password);
          await db.system.transaction().execute(async (tx) => {
            const user = await tx
              .insertInto('users')
              .values({
                partnership_id: partnership.id,
                email: opts.email,
                full_name: opts.name,
                password_hash: hash,
                must_change_password: true,
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            for (const role of roles)
              await tx
                .insertInto('role_grants')
                .values({ partnership_id: partnership.id, user_id: user.id, role })
                .execute();
          });
        });
        console.log(`Created ${opts.email} with roles ${roles.join(', ') || '(none)'}.`);
        console.log(
          `Temporary password: ${password}  (they must change it when they first sign in)`,
        );
      },
    );
  return users;
}
