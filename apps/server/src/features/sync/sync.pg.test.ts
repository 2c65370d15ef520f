import { postgresTestDb } from '../../testing/test-db.ts';
import { syncSuite } from './sync-suite.ts';

syncSuite('PostgreSQL', postgresTestDb);
