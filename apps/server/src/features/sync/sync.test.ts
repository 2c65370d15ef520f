import { pgliteTestDb } from '../../testing/test-db.ts';
import { syncSuite } from './sync-suite.ts';

syncSuite('PGlite', pgliteTestDb);
