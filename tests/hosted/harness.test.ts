import fs from 'node:fs';
import http from 'node:http';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { blobStore, S3BlobStore } from '@/lib/blobs';
import { getConfig } from '@/lib/config';
import { makeTempDir, useTestEnv } from '../support/env';
import type { HostedPair } from '../support/hosted';
import {
  createTestDatabase,
  dropTestDatabase,
  hostedStack,
  isHosted,
  testDatabaseName,
} from '../support/mode';
import { startServer } from '../support/server';
import { readStoredBlob, storedBlobKeys, storedBlobNames } from '../support/storage';
import { swiftClient } from '../support/swift';

/**
 * The hosted project's own plumbing (this file runs only there): the run's PostgreSQL and Swift,
 * a database and S3 prefix of the file's own, and startServer() as two instances behind nginx.
 */

const env = useTestEnv();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A GET on a fresh connection (no keep-alive), so nginx picks the next upstream each time. */
function getFresh(url: string): Promise<{ status: number; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string> }),
        );
      })
      .on('error', reject);
  });
}

describe('hosted test mode', () => {
  it('runs with PB_TEST_MODE=hosted and this file has its own migrated database and S3 prefix', async () => {
    expect(isHosted()).toBe(true);
    const url = env.databaseUrl();
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/pb_test_[a-z0-9_]+$/);
    expect(process.env.DATABASE_URL).toBe(url);
    const config = getConfig();
    expect(config.databaseUrl).toBe(url);
    expect(config.s3).toMatchObject({
      bucket: hostedStack().s3.bucket,
      endpoint: hostedStack().s3.endpoint,
      forcePathStyle: true,
      prefix: `${new URL(url as string).pathname.slice(1)}/`,
    });
    const sql = postgres(url as string, { max: 1, onnotice: () => {} });
    try {
      const tables = (
        await sql<
          { t: string }[]
        >`select table_name as t from information_schema.tables where table_schema = 'public'`
      ).map((r) => r.t);
      expect(tables).toEqual(expect.arrayContaining(['events', 'sessions', 'session_photos']));
      const defaults = await sql`select id from events where is_default`;
      expect(defaults).toHaveLength(1);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it("the app's blob store is the bucket under the file's prefix, and the helpers read it", async () => {
    const store = blobStore();
    expect(store).toBeInstanceOf(S3BlobStore);
    const bytes = Buffer.from('hosted harness bytes');
    await store.put('photos/s1/p1.jpg', bytes, { contentType: 'image/jpeg' });
    await store.put('photos/s1/p1_thumb.jpg', bytes, { contentType: 'image/jpeg' });
    expect(await storedBlobKeys('photos/')).toEqual(['photos/s1/p1.jpg', 'photos/s1/p1_thumb.jpg']);
    expect(await storedBlobNames('photos')).toEqual(['s1']);
    expect(await readStoredBlob('photos/s1/p1.jpg')).toEqual(bytes);
    expect(await readStoredBlob('photos/s1/none.jpg')).toBeNull();
    // In the bucket itself: under the prefix, nowhere else.
    const { s3 } = hostedStack();
    const client = swiftClient(s3);
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'pb_test_' }));
      const prefix = getConfig().s3?.prefix;
      expect(listed.Contents?.map((o) => o.Key).filter((k) => k?.includes('/photos/s1/'))).toEqual([
        `${prefix}photos/s1/p1.jpg`,
        `${prefix}photos/s1/p1_thumb.jpg`,
      ]);
    } finally {
      client.destroy();
    }
  });

  it('makes a new database per call, the same one again for the same seed, and drops it', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a).not.toBe(b);
    const seeded = await createTestDatabase('/tmp/some-data-dir');
    expect(await createTestDatabase('/tmp/some-data-dir')).toBe(seeded);
    expect(seeded).toContain(testDatabaseName('/tmp/some-data-dir'));
    const sql = postgres(hostedStack().postgresUrl, { max: 1, onnotice: () => {} });
    const names = async () =>
      (await sql<{ datname: string }[]>`select datname from pg_database`).map((r) => r.datname);
    try {
      const name = (u: string) => new URL(u).pathname.slice(1);
      expect(await names()).toEqual(expect.arrayContaining([a, b, seeded].map(name)));
      for (const u of [a, b, seeded]) await dropTestDatabase(u);
      const left = await names();
      for (const u of [a, b, seeded]) expect(left).not.toContain(name(u));
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('startServer() gives two instances behind nginx: round-robin, both alive, one may die', async () => {
    const dir = makeTempDir('pb-hosted-pair-');
    dirs.push(dir, `${dir}-b`);
    const pair = (await startServer(dir, {}, 1)) as HostedPair;
    try {
      expect(pair.url).toBe(pair.nginx.url);
      expect(pair.databaseUrl).toContain(testDatabaseName(dir));
      expect(pair.env).toMatchObject({ DATABASE_URL: pair.databaseUrl, TRUST_PROXY: '1' });
      for (const direct of [pair.a.url, pair.b.url])
        expect((await getFresh(`${direct}/api/health`)).status).toBe(200);
      const served: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await getFresh(`${pair.url}/api/health`);
        expect(r.status).toBe(200);
        served.push(pair.servedBy(r));
      }
      // Round-robin: each request to the other instance than the one before.
      expect(
        served.every((who, i) => i === 0 || who !== served[i - 1]),
        served.join(' '),
      ).toBe(true);
      expect(new Set(served)).toEqual(new Set(['a', 'b']));
      // Instance a dies: nginx sends everything to b.
      const pidA = pair.a.pid;
      await pair.kill('a', 'SIGKILL');
      expect(() => process.kill(pidA, 0)).toThrow();
      for (let i = 0; i < 4; i++) {
        const r = await getFresh(`${pair.url}/api/health`);
        expect(r.status).toBe(200);
        expect(pair.servedBy(r)).toBe('b');
      }
    } finally {
      await pair.stop();
    }
    expect(() => process.kill(pair.b.pid, 0)).toThrow();
    expect(() => process.kill(pair.nginx.pid, 0)).toThrow();
    // Started again on the same data directory: the same database.
    const again = (await startServer(dir, {}, 1)) as HostedPair;
    try {
      expect(again.databaseUrl).toBe(pair.databaseUrl);
      expect(again.url).not.toBe(pair.url);
      expect((await getFresh(`${again.url}/api/health`)).status).toBe(200);
    } finally {
      await again.stop();
    }
  }, 240_000);
});
