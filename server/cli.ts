// npm run cli -- <command>: operator commands that work on the configured database (or the
// embedded one under DATA_DIR, started for the command or reused when `npm start` runs it).
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { openDatabase } from './db/database.ts';
import { createDb } from './db/db.ts';
import { EnvError, loadEnv } from './env.ts';
import { createLogger } from './observability/logger.ts';
import { migrateDatabase } from './db/migrate.ts';
import { loadMasterKey, masterKeyFile } from './security/masterKey.ts';
import { rotateEncryptionKey } from './services/encryptionRotation.ts';
import { promoteListedUsers, promoteUser } from './services/users.ts';

const usage = `Usage: npm run cli -- <command>

  user:promote <username or email>   make that user an ADMIN
  user:promote                       make the registered users listed in ADMIN_EMAILS ADMINs
  keys:rotate-encryption             re-encrypt stored secrets under a new master key
                                     (NEW_ENCRYPTION_KEY, or a generated one)
  migrate                            apply database migrations and exit`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === 'help' || command === '--help') {
    console.log(usage);
    return command ? 0 : 1;
  }
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL);
  const database = await openDatabase(env, logger);
  await migrateDatabase(database.url, logger);
  const db = createDb(database.url, 2);
  try {
    switch (command) {
      case 'user:promote': {
        if (rest[0]) {
          const user = await promoteUser({ db }, rest[0]);
          console.log(`${user.username} is now an ADMIN.`);
          return 0;
        }
        if (env.ADMIN_EMAILS.length === 0) throw new UsageError('user:promote needs a username or email, or ADMIN_EMAILS.');
        const { promoted, missing } = await promoteListedUsers({ db }, env.ADMIN_EMAILS);
        for (const user of promoted) console.log(`${user.username} is now an ADMIN.`);
        for (const email of missing) console.log(`${email}: no such user.`);
        return 0;
      }
      case 'keys:rotate-encryption': {
        const oldKey = await loadMasterKey(env.ENCRYPTION_KEY, env.dataDir);
        const supplied = process.env.NEW_ENCRYPTION_KEY;
        const newKey = supplied ? Buffer.from(supplied, 'base64') : randomBytes(32);
        if (newKey.length !== 32) throw new UsageError('NEW_ENCRYPTION_KEY must be 32 bytes, base64-encoded.');
        // With the key kept in DATA_DIR, stage the new file first so a crash cannot lose it.
        const file = masterKeyFile(env.dataDir);
        if (!env.ENCRYPTION_KEY) await writeFile(`${file}.new`, `${newKey.toString('base64')}\n`, { mode: 0o600 });
        const counts = await rotateEncryptionKey(db, oldKey, newKey);
        console.log(`Re-encrypted ${counts.providerKeys} provider keys and ${counts.signingKeys} signing keys.`);
        console.log(`Re-encrypted ${counts.webhookSecrets} webhook secrets.`);
        console.log(`Re-encrypted ${counts.totpSecrets} TOTP secrets.`);
        if (env.ENCRYPTION_KEY) {
          console.log('Set ENCRYPTION_KEY to the new key before the next start:');
          console.log(newKey.toString('base64'));
        } else {
          await rename(`${file}.new`, file);
          console.log(`The new key is in ${file}. Restart Parlance to use it.`);
        }
        return 0;
      }
      case 'migrate':
        console.log('Database is migrated.');
        return 0;
      default:
        throw new UsageError(`Unknown command "${command}".\n\n${usage}`);
    }
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof EnvError || error instanceof UsageError) console.error(error.message);
    else if (error instanceof Error && 'code' in error && error.code === 'NOT_FOUND') console.error(error.message);
    else console.error(error);
    process.exit(1);
  },
);
