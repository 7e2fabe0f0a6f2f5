import { fileURLToPath } from 'node:url';

/**
 * Test data only: the directory of RDB and AOF files written by real Redis
 * 7.0 (see its README for what each holds and the license of the upstream
 * ones). A copy of ../shared/fixtures/redis-7.0 kept in the repository, so
 * the tests pass in a clone anywhere.
 */
export const REDIS_7_FIXTURES = fileURLToPath(new URL('../test-fixtures/redis-7.0/', import.meta.url));
