import { existsSync } from 'node:fs';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { PG_SKIP_REASON, startPgCluster } from './pg-cluster.js';

describe.skipIf(PG_SKIP_REASON !== null)('the throwaway PostgreSQL cluster', () => {
  it('starts on a free port, makes databases, and leaves nothing behind', async () => {
    const cluster = await startPgCluster();
    try {
      const url = await cluster.createDatabase('harness');
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      const [row] = await sql`SELECT current_database() AS db, current_setting('server_version_num')::int AS v`;
      expect(row!.db).toBe('harness');
      expect(row!.v).toBeGreaterThanOrEqual(150000);
      await sql.end();
      expect(existsSync(cluster.dir)).toBe(true);
      await cluster.stop();
      expect(existsSync(cluster.dir)).toBe(false);
      const after = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
      await expect(after`SELECT 1`).rejects.toThrow();
      await after.end();
    } finally {
      await cluster.stop();
    }
  });
});
