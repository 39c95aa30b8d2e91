import { createHmac } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/**
 * The one place the environment is read. Parsed once (lazily, so tests can point DATA_DIR at a
 * throwaway directory before first use) and validated with zod: a bad value stops the server at
 * start with a message naming the variable.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const positiveNumber = (fallback: number) => z.coerce.number().positive().finite().default(fallback);

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * How this process gets Telegram updates: `webhook` (Telegram posts them to /api/telegram/webhook),
 * `polling` (the server long-polls), `external` (another process runs the bot: `npm run bot`; the
 * server only makes deep links), `off` (no Telegram at all, as when no token is set).
 */
export const TELEGRAM_MODES = ['webhook', 'polling', 'external', 'off'] as const;
export type TelegramMode = Exclude<(typeof TELEGRAM_MODES)[number], 'off'>;

export interface TelegramConfig {
  botToken: string;
  botUsername: string;
  mode: TelegramMode;
  /** Telegram echoes it in X-Telegram-Bot-Api-Secret-Token; derived from the token when unset. */
  webhookSecret: string;
  apiRoot: string;
}

/**
 * The part server.mjs gives this worker (PB_CLUSTER_ROLE): `leader` (the first: start-up sweep,
 * singletons such as the Telegram bot), `leader-restarted` (its replacement: singletons only),
 * `follower` (the rest). Unset: a single process (`next start`, `next dev`, the tests).
 */
export const CLUSTER_ROLES = ['leader', 'leader-restarted', 'follower'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOSTNAME: optionalString,
    TRUST_PROXY: optionalString.pipe(
      z
        .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'must be 1 or 0' })
        .transform((v) => v === '1' || v === 'true' || v === 'yes')
        .optional(),
    ),
    DISK_FREE_FLOOR_MB: z.coerce.number().min(0).finite().default(100),
    DATA_DIR: z.string().trim().min(1).default('./data'),
    PUBLIC_URL: optionalString.pipe(
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://booth.example.com' })
        .transform((v) => v.replace(/\/+$/, ''))
        .optional(),
    ),
    BOOTH_TOKEN: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
    ADMIN_TOKEN: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
    SESSION_TTL_MINUTES: z.coerce
      .number()
      .min(1 / 60, 'must be at least 1/60 (one second)')
      .finite()
      .default(30),
    MAX_UPLOADED_PHOTOS: positiveInt(5),
    READY_AT_PHOTOS: positiveInt(3),
    MAX_UPLOAD_MB: positiveNumber(25),
    MAX_INPUT_MEGAPIXELS: positiveNumber(40),
    CLEANUP_INTERVAL_MINUTES: positiveNumber(5),
    EVENT_NAME: optionalString,
    WIFI_SSID: optionalString,
    WIFI_PASSWORD: optionalString,
    BOOTH_IDLE_SECONDS: positiveInt(90),
    IMAGE_CONCURRENCY: z.coerce.number().int().positive().max(64).optional(),
    TELEGRAM_BOT_TOKEN: optionalString.pipe(
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must be the token BotFather gave, like 123456789:AAE…')
        .optional(),
    ),
    TELEGRAM_BOT_USERNAME: optionalString.pipe(
      z
        .string()
        .transform((v) => v.replace(/^@/, ''))
        .pipe(
          z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be the bot's username, like my_booth_bot"),
        )
        .optional(),
    ),
    TELEGRAM_MODE: optionalString.pipe(z.enum(TELEGRAM_MODES).optional()),
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 characters of A-Z, a-z, 0-9, _ and -')
        .optional(),
    ),
    TELEGRAM_API_ROOT: optionalString.pipe(
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://api.telegram.org' })
        .transform((v) => v.replace(/\/+$/, ''))
        .optional(),
    ),
    BOOTH_SHOTS: positiveInt(3),
    PB_CLUSTER_ROLE: optionalString.pipe(z.enum(CLUSTER_ROLES).optional()),
    // Limits under load (docs/api.md). Caps are for the whole server; each worker of server.mjs
    // enforces its share (the cap divided by the worker count, rounded up).
    MAX_EVENT_STREAMS: positiveInt(2000),
    MAX_EVENT_STREAMS_PER_ADDRESS: positiveInt(200),
    MAX_UPLOADS_IN_FLIGHT: positiveInt(200),
    MAX_UPLOADS_PER_ADDRESS: positiveInt(16),
    MIN_UPLOAD_BYTES_PER_SECOND: z.coerce.number().int().min(0).default(500),
    UPLOAD_RATE_WINDOW_SECONDS: positiveInt(10),
    // Object storage (docs/hosting.md "Object storage"): with S3_BUCKET, bytes live in that bucket.
    S3_BUCKET: optionalString.pipe(
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3–63 of a-z, 0-9, . and -)')
        .optional(),
    ),
    S3_ENDPOINT: optionalString.pipe(
      z
        .url({
          protocol: /^https?$/,
          message: 'must be an http(s) URL such as https://s3.eu-central-1.amazonaws.com',
        })
        .transform((v) => v.replace(/\/+$/, ''))
        .optional(),
    ),
    S3_REGION: optionalString.pipe(
      z
        .string()
        .regex(/^[a-z0-9-]{2,32}$/, 'must be a region name such as us-east-1')
        .optional(),
    ),
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    S3_FORCE_PATH_STYLE: optionalString.pipe(
      z
        .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'must be 1 or 0' })
        .transform((v) => v === '1' || v === 'true' || v === 'yes')
        .optional(),
    ),
    S3_PREFIX: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9._\-/]+$/, 'must be letters, digits, ., _, - and /')
        .refine(
          (v) => !v.startsWith('/') && !v.split('/').includes('..'),
          'must not start with / or contain ..',
        )
        .transform((v) => v.replace(/\/*$/, '/'))
        .optional(),
    ),
    // Hosted mode (PostgreSQL instead of the SQLite file in DATA_DIR): db/pg.ts.
    DATABASE_URL: optionalString.pipe(
      z
        .url({
          protocol: /^postgres(ql)?$/,
          message:
            'must be a postgres:// URL such as postgres://user:password@db.example.com:5432/photobooth',
        })
        .optional(),
    ),
  })
  .refine((e) => e.READY_AT_PHOTOS <= e.MAX_UPLOADED_PHOTOS, {
    message: 'READY_AT_PHOTOS must not exceed MAX_UPLOADED_PHOTOS',
    path: ['READY_AT_PHOTOS'],
  })
  .refine((e) => e.BOOTH_SHOTS <= e.MAX_UPLOADED_PHOTOS, {
    message: 'BOOTH_SHOTS must not exceed MAX_UPLOADED_PHOTOS (the camera shots are the photos of a session)',
    path: ['BOOTH_SHOTS'],
  })
  .refine((e) => !e.DATABASE_URL || (e.BOOTH_TOKEN && e.ADMIN_TOKEN), {
    // Generated tokens live in one instance's DATA_DIR/tokens.json: a fleet would not agree on them.
    message:
      'BOOTH_TOKEN and ADMIN_TOKEN are required with DATABASE_URL (every instance must accept the same tokens)',
    path: ['BOOTH_TOKEN'],
  })
  .refine((e) => !e.BOOTH_TOKEN || !e.ADMIN_TOKEN || e.BOOTH_TOKEN !== e.ADMIN_TOKEN, {
    message: 'BOOTH_TOKEN and ADMIN_TOKEN must differ',
    path: ['ADMIN_TOKEN'],
  })
  .refine((e) => !e.TELEGRAM_BOT_TOKEN || e.TELEGRAM_BOT_USERNAME || e.TELEGRAM_MODE === 'off', {
    message: "is required when TELEGRAM_BOT_TOKEN is set (the bot's username, for the t.me link)",
    path: ['TELEGRAM_BOT_USERNAME'],
  })
  .refine((e) => !e.S3_ACCESS_KEY_ID === !e.S3_SECRET_ACCESS_KEY, {
    message:
      "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together (or neither, for the SDK's own credentials)",
    path: ['S3_SECRET_ACCESS_KEY'],
  })
  .refine((e) => e.TELEGRAM_MODE !== 'webhook' || e.PUBLIC_URL?.startsWith('https://'), {
    message: 'webhook needs PUBLIC_URL to be an https:// address Telegram can reach; use polling otherwise',
    path: ['TELEGRAM_MODE'],
  });

/** An S3-compatible bucket for the bytes (photos, thumbnails, pictures, frames): lib/blobs/. */
export interface S3Config {
  bucket: string;
  /** Unset: AWS itself, by region. */
  endpoint: string | undefined;
  region: string;
  /** Unset: the SDK's own chain (AWS_* variables, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
  /** '' or a prefix ending in '/', so several deployments can share a bucket. */
  prefix: string;
}

export interface Config {
  port: number;
  hostname: string | undefined;
  /** Behind a reverse proxy whose X-Forwarded-* headers are believed. */
  trustProxy: boolean;
  /** New photos are refused (507) when the data directory's disk has less free space than this. */
  diskFreeFloorBytes: number;
  dataDir: string;
  dbFile: string;
  photosDir: string;
  tmpDir: string;
  publicUrl: string | undefined;
  boothToken: string | undefined;
  adminToken: string | undefined;
  sessionTtlMinutes: number;
  maxUploadedPhotos: number;
  readyAtPhotos: number;
  maxUploadBytes: number;
  maxInputPixels: number;
  cleanupIntervalMs: number;
  eventName: string | undefined;
  wifiSsid: string | undefined;
  wifiPassword: string | undefined;
  boothIdleSeconds: number;
  /** Images decoded at once by this process; unset: 2–4 by CPU count (server.mjs sets it per worker). */
  imageConcurrency: number | undefined;
  /** null: the bot is disabled (no token, or TELEGRAM_MODE=off). */
  telegram: TelegramConfig | null;
  /** How many photos the booth's camera takes for one picture. */
  boothShots: number;
  /** This worker's part under server.mjs; undefined when the process is alone. */
  clusterRole: ClusterRole | undefined;
  /** null: bytes live on disk in DATA_DIR (the embedded default). */
  s3: S3Config | null;
  /** PostgreSQL (hosted mode: db/pg.ts); undefined: the SQLite file in DATA_DIR. */
  databaseUrl: string | undefined;
  /** Caps for the whole server (each worker enforces its share: lib/limits.ts). */
  limits: {
    eventStreams: number;
    eventStreamsPerAddress: number;
    uploads: number;
    uploadsPerAddress: number;
    /** An upload body must bring at least this many bytes per second (0: no minimum)... */
    minUploadBytesPerSecond: number;
    /** ...measured over this window, after the first window (the grace). */
    uploadRateWindowSeconds: number;
  };
}

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || 'env'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    hostname: e.HOSTNAME,
    trustProxy: e.TRUST_PROXY ?? false,
    diskFreeFloorBytes: Math.round(e.DISK_FREE_FLOOR_MB * 1024 * 1024),
    dataDir,
    dbFile: path.join(dataDir, 'photobooth.db'),
    photosDir: path.join(dataDir, 'photos'),
    tmpDir: path.join(dataDir, 'tmp'),
    publicUrl: e.PUBLIC_URL,
    boothToken: e.BOOTH_TOKEN,
    adminToken: e.ADMIN_TOKEN,
    sessionTtlMinutes: e.SESSION_TTL_MINUTES,
    maxUploadedPhotos: e.MAX_UPLOADED_PHOTOS,
    readyAtPhotos: e.READY_AT_PHOTOS,
    maxUploadBytes: Math.round(e.MAX_UPLOAD_MB * 1024 * 1024),
    maxInputPixels: Math.round(e.MAX_INPUT_MEGAPIXELS * 1_000_000),
    cleanupIntervalMs: e.CLEANUP_INTERVAL_MINUTES * 60_000,
    eventName: e.EVENT_NAME,
    wifiSsid: e.WIFI_SSID,
    wifiPassword: e.WIFI_PASSWORD,
    boothIdleSeconds: e.BOOTH_IDLE_SECONDS,
    imageConcurrency: e.IMAGE_CONCURRENCY,
    telegram:
      e.TELEGRAM_BOT_TOKEN && e.TELEGRAM_BOT_USERNAME && e.TELEGRAM_MODE !== 'off'
        ? {
            botToken: e.TELEGRAM_BOT_TOKEN,
            botUsername: e.TELEGRAM_BOT_USERNAME,
            mode: e.TELEGRAM_MODE ?? (e.PUBLIC_URL?.startsWith('https://') ? 'webhook' : 'polling'),
            webhookSecret:
              e.TELEGRAM_WEBHOOK_SECRET ??
              createHmac('sha256', e.TELEGRAM_BOT_TOKEN).update('pb-telegram-webhook-v1').digest('base64url'),
            apiRoot: e.TELEGRAM_API_ROOT ?? 'https://api.telegram.org',
          }
        : null,
    boothShots: e.BOOTH_SHOTS,
    clusterRole: e.PB_CLUSTER_ROLE,
    s3: e.S3_BUCKET
      ? {
          bucket: e.S3_BUCKET,
          endpoint: e.S3_ENDPOINT,
          region: e.S3_REGION ?? 'us-east-1',
          credentials:
            e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
              ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
              : undefined,
          forcePathStyle: e.S3_FORCE_PATH_STYLE ?? false,
          prefix: e.S3_PREFIX ?? '',
        }
      : null,
    databaseUrl: e.DATABASE_URL,
    limits: {
      eventStreams: e.MAX_EVENT_STREAMS,
      eventStreamsPerAddress: e.MAX_EVENT_STREAMS_PER_ADDRESS,
      uploads: e.MAX_UPLOADS_IN_FLIGHT,
      uploadsPerAddress: e.MAX_UPLOADS_PER_ADDRESS,
      minUploadBytesPerSecond: e.MIN_UPLOAD_BYTES_PER_SECOND,
      uploadRateWindowSeconds: e.UPLOAD_RATE_WINDOW_SECONDS,
    },
  };
}

const g = globalThis as unknown as { __pbConfig?: Config };

export function getConfig(): Config {
  g.__pbConfig ??= parseConfig(process.env);
  return g.__pbConfig;
}

/** Tests only: forget the cached configuration so the next getConfig() reads the env again. */
export function resetConfigForTests(): void {
  g.__pbConfig = undefined;
}
