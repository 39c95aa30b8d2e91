import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@/lib/config';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      port: 3000,
      sessionTtlMinutes: 30,
      maxUploadedPhotos: 5,
      readyAtPhotos: 3,
      maxUploadBytes: 25 * 1024 * 1024,
      maxInputPixels: 40_000_000,
      cleanupIntervalMs: 5 * 60_000,
      publicUrl: undefined,
    });
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('keeps bytes on disk without S3_BUCKET, and reads the S3 variables with one', () => {
    expect(parseConfig({ S3_ENDPOINT: 'http://127.0.0.1:8080' }).s3).toBeNull();
    expect(
      parseConfig({
        S3_BUCKET: 'photobooth',
        S3_ENDPOINT: 'http://127.0.0.1:8080/',
        S3_ACCESS_KEY_ID: 'test:tester',
        S3_SECRET_ACCESS_KEY: 'testing',
        S3_FORCE_PATH_STYLE: '1',
        S3_PREFIX: 'prod/booths',
      }).s3,
    ).toEqual({
      bucket: 'photobooth',
      endpoint: 'http://127.0.0.1:8080',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test:tester', secretAccessKey: 'testing' },
      forcePathStyle: true,
      prefix: 'prod/booths/',
    });
    expect(parseConfig({ S3_BUCKET: 'photobooth', S3_REGION: 'eu-central-1' }).s3).toMatchObject({
      endpoint: undefined,
      region: 'eu-central-1',
      credentials: undefined,
      forcePathStyle: false,
      prefix: '',
    });
  });

  it.each([
    [{ S3_BUCKET: 'Not_A_Bucket' }, 'S3_BUCKET'],
    [{ S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT'],
    [{ S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'key-only' }, 'S3_SECRET_ACCESS_KEY'],
    [{ S3_BUCKET: 'ok-bucket', S3_PREFIX: '../other' }, 'S3_PREFIX'],
    [{ S3_BUCKET: 'ok-bucket', S3_PREFIX: '/abs' }, 'S3_PREFIX'],
    [{ S3_BUCKET: 'ok-bucket', S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE'],
  ])('refuses a bad S3 setting %o naming %s', (env, name) => {
    expect(() => parseConfig(env)).toThrow(name);
  });

  const TOKENS = { BOOTH_TOKEN: 'booth-token-0123456789', ADMIN_TOKEN: 'admin-token-0123456789' };

  it('uses SQLite without DATABASE_URL, and reads a postgres:// or postgresql:// one as given', () => {
    expect(parseConfig({}).databaseUrl).toBeUndefined();
    expect(parseConfig({ DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
    const url = 'postgres://booth:s3cret@db.example.com:5432/photobooth?sslmode=require';
    expect(parseConfig({ DATABASE_URL: url, ...TOKENS }).databaseUrl).toBe(url);
    expect(parseConfig({ DATABASE_URL: 'postgresql://127.0.0.1/pb', ...TOKENS }).databaseUrl).toBe(
      'postgresql://127.0.0.1/pb',
    );
  });

  it('with DATABASE_URL requires BOOTH_TOKEN and ADMIN_TOKEN (a fleet must share them), naming them', () => {
    const url = 'postgres://127.0.0.1/pb';
    for (const env of [{}, { BOOTH_TOKEN: TOKENS.BOOTH_TOKEN }, { ADMIN_TOKEN: TOKENS.ADMIN_TOKEN }]) {
      expect(() => parseConfig({ DATABASE_URL: url, ...env })).toThrow(
        /BOOTH_TOKEN: BOOTH_TOKEN and ADMIN_TOKEN are required with DATABASE_URL/,
      );
    }
    expect(parseConfig({ DATABASE_URL: url, ...TOKENS }).boothToken).toBe(TOKENS.BOOTH_TOKEN);
  });

  it.each(['mysql://db.example.com/photobooth', 'db.example.com:5432', 'sqlite:./data/photobooth.db'])(
    'refuses DATABASE_URL=%s naming the variable',
    (value) => {
      expect(() => parseConfig({ DATABASE_URL: value })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    },
  );

  it('reads the cluster role server.mjs gives a worker; alone, there is none', () => {
    expect(parseConfig({}).clusterRole).toBeUndefined();
    expect(parseConfig({ PB_CLUSTER_ROLE: 'follower' }).clusterRole).toBe('follower');
  });

  it('accepts decimals for the TTL and trims a trailing slash from PUBLIC_URL', () => {
    const c = parseConfig({ SESSION_TTL_MINUTES: '0.1', PUBLIC_URL: 'https://booth.example.com/' });
    expect(c.sessionTtlMinutes).toBe(0.1);
    expect(c.publicUrl).toBe('https://booth.example.com');
  });

  it.each([
    [{ SESSION_TTL_MINUTES: 'soon' }, 'SESSION_TTL_MINUTES'],
    [{ SESSION_TTL_MINUTES: '-5' }, 'SESSION_TTL_MINUTES'],
    [{ MAX_UPLOADED_PHOTOS: '2.5' }, 'MAX_UPLOADED_PHOTOS'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'booth.local' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://booth.local' }, 'PUBLIC_URL'],
    [{ BOOTH_TOKEN: 'short' }, 'BOOTH_TOKEN'],
    [{ READY_AT_PHOTOS: '6' }, 'READY_AT_PHOTOS'],
    [{ BOOTH_TOKEN: 'same-token-123456', ADMIN_TOKEN: 'same-token-123456' }, 'ADMIN_TOKEN'],
    [{ PB_CLUSTER_ROLE: 'boss' }, 'PB_CLUSTER_ROLE'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(name);
  });
});
