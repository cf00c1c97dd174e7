import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/20261124_0001_core.ts';
import * as m0003 from './migrations/20261124_0003_knowledge.ts';
import * as m0004 from './migrations/20261124_0004_email.ts';
import * as m0005 from './migrations/20261124_0005_routing.ts';
import * as m0006 from './migrations/20261124_0006_commerce.ts';
import * as m0008 from './migrations/20261124_0008_bot_surveys.ts';
import * as m0007 from './migrations/20261124_0007_playbooks.ts';
import * as m0013 from './migrations/20261124_0013_translations.ts';
import * as m0009 from './migrations/20261124_0009_shopify_import.ts';
import * as m0012 from './migrations/20261124_0012_imap.ts';
import * as m0010 from './migrations/20261124_0010_chat.ts';
import * as m0011 from './migrations/20261124_0011_training.ts';
import * as m0014 from './migrations/20261124_0014_knowledge_speed.ts';
import * as m0015 from './migrations/20261124_0015_market_overrides.ts';
import * as m0016 from './migrations/20261124_0016_shipment_tracking_url.ts';

/**
 * The one migrator, used at start-up and by tests. Migrations are listed here (not
 * globbed) so they load the same way under tsx, vitest and a bundler.
 */
const MIGRATIONS: Record<string, Migration> = {
  '20261124_0001_core': m0001,
  '20261124_0003_knowledge': m0003,
  '20261124_0004_email': m0004,
  '20261124_0005_routing': m0005,
  '20261124_0006_commerce': m0006,
  '20261124_0008_bot_surveys': m0008,
  '20261124_0007_playbooks': m0007,
  '20261124_0013_translations': m0013,
  '20261124_0009_shopify_import': m0009,
  '20261124_0012_imap': m0012,
  '20261124_0010_chat': m0010,
  '20261124_0011_training': m0011,
  '20261124_0014_knowledge_speed': m0014,
  '20261124_0015_market_overrides': m0015,
  '20261124_0016_shipment_tracking_url': m0016,
};

class StaticProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(MIGRATIONS);
  }
}

export async function migrateToLatest<T>(db: Kysely<T>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db: db as unknown as Kysely<unknown>,
    provider: new StaticProvider(),
    // modules add migrations independently; a database that has a later one still takes an
    // earlier-numbered one that arrived after it (each migration touches only its own tables)
    allowUnorderedMigrations: true,
    ...(schema && schema !== 'public' ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const msg = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${msg}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
