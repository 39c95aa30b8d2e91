import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  clearRateLimits,
  deleteAuthSession,
  findLogin,
  hitRateLimit,
  insertAuthSession,
  touchAuthSession,
  updateBoothRow,
} from '@/db/queries';
import { getConfig } from './config';
import { ApiError } from './errors';
import { forwardedHost } from './links';
import { atLeast, type Role } from './roles';

type AuthRole = Exclude<Role, 'guest'>;

/**
 * Roles and tokens. A booth or admin proves itself with `Authorization: Bearer <token>` or the
 * httpOnly cookie that login sets; a guest holds only the session id. Tokens come from the env,
 * or are generated once and kept (mode 0600) in DATA_DIR/tokens.json.
 */

export const AUTH_COOKIE = 'pb_auth';
export const COOKIE_MAX_AGE_S = 60 * 60 * 24 * 180;

interface Tokens {
  booth: string;
  admin: string;
  file?: string;
  generated: boolean;
}

const tokenFileSchema = z.object({ booth_token: z.string().min(12), admin_token: z.string().min(12) });

const g = globalThis as unknown as { __pbTokens?: { dataDir: string; tokens: Tokens } };

export function tokensFile(): string {
  return path.join(getConfig().dataDir, 'tokens.json');
}

function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

function loadOrCreateTokenFile(): { booth_token: string; admin_token: string } {
  const file = tokensFile();
  try {
    return tokenFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `${file} is unreadable or malformed; delete it to generate new tokens (${(err as Error).message})`,
      );
    }
  }
  const fresh = { booth_token: generateToken(), admin_token: generateToken() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx': if another process created it first, keep theirs.
    fs.writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    console.log(`[auth] BOOTH_TOKEN / ADMIN_TOKEN not set: generated them in ${file}`);
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return tokenFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    throw err;
  }
}

export function getTokens(): Tokens {
  const { dataDir, boothToken, adminToken } = getConfig();
  if (g.__pbTokens?.dataDir === dataDir) return g.__pbTokens.tokens;
  let tokens: Tokens;
  if (boothToken && adminToken) {
    tokens = { booth: boothToken, admin: adminToken, generated: false };
  } else {
    const stored = loadOrCreateTokenFile();
    tokens = {
      booth: boothToken ?? stored.booth_token,
      admin: adminToken ?? stored.admin_token,
      file: tokensFile(),
      generated: true,
    };
  }
  g.__pbTokens = { dataDir, tokens };
  return tokens;
}

function safeEqual(a: string, b: string): boolean {
  // Compare fixed-length digests so neither content nor length leaks through timing.
  const ha = createHmac('sha256', 'pb-compare').update(a).digest();
  const hb = createHmac('sha256', 'pb-compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The role a presented token grants, or null. */
export function roleForToken(token: string): Exclude<Role, 'guest'> | null {
  const { booth, admin } = getTokens();
  const isAdmin = safeEqual(token, admin);
  const isBooth = safeEqual(token, booth);
  return isAdmin ? 'admin' : isBooth ? 'booth' : null;
}

// ---------------------------------------------------------------------------------------------
// Logins. The cookie holds a random secret; the database keeps only its sha256 (a stolen
// database gives no cookie) with the role and a tag of the role's token as it was at login.
// Logout deletes the row, so the cookie stops working at once, in every worker.

function tokenTag(role: AuthRole): string {
  return createHmac('sha256', getTokens()[role])
    .update(`pb-login-v2:${role}`)
    .digest('base64url')
    .slice(0, 22);
}

function loginId(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * A paired booth's login is bound to its booth row (deleting the booth deletes the login), not
 * to BOOTH_TOKEN: changing the token does not unpair the kiosks.
 */
const PAIRED_TAG = 'paired-booth-v1';

/**
 * Records a new login of `role` and returns the cookie value that proves it. With `boothId` it
 * is that paired booth's login (role booth, limited to the booth's event).
 */
export async function createLogin(
  role: AuthRole,
  now = new Date(),
  boothId: string | null = null,
): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await insertAuthSession({
    id: loginId(secret),
    role,
    tokenTag: boothId ? PAIRED_TAG : tokenTag(role),
    boothId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + COOKIE_MAX_AGE_S * 1000),
  });
  return secret;
}

/** Ends the login a cookie value proves (if any); true when there was one. */
export async function endLogin(cookieValue: string | undefined): Promise<boolean> {
  if (!cookieValue || !COOKIE_VALUE_RE.test(cookieValue)) return false;
  return await deleteAuthSession(loginId(cookieValue));
}

const COOKIE_VALUE_RE = /^[A-Za-z0-9_-]{43}$/;
/** lastSeenAt is written at most this often per login, not on every request. */
const TOUCH_EVERY_MS = 60 * 60_000;

/** A paired booth's last_seen_at is written at most this often (it shows whether it is online). */
export const BOOTH_SEEN_EVERY_MS = 15_000;

interface Login {
  role: AuthRole;
  boothId?: string;
  eventId?: string;
}

async function loginFromCookie(value: string): Promise<Login | null> {
  if (!COOKIE_VALUE_RE.test(value)) return null;
  const now = new Date();
  const row = await findLogin(loginId(value), now);
  if (!row) return null;
  let login: Login;
  if (row.boothId) {
    if (row.role !== 'booth' || !row.boothEventId || !safeEqual(row.tokenTag, PAIRED_TAG)) return null;
    login = { role: 'booth', boothId: row.boothId, eventId: row.boothEventId };
    await noteBoothSeen(row.boothId, row.boothLastSeenAt, now);
  } else {
    if (!safeEqual(row.tokenTag, tokenTag(row.role))) return null;
    login = { role: row.role };
  }
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchAuthSession(row.id, now);
  return login;
}

async function noteBoothSeen(boothId: string, lastSeenAt: Date | null, now: Date): Promise<void> {
  if (lastSeenAt && now.getTime() - lastSeenAt.getTime() < BOOTH_SEEN_EVERY_MS) return;
  try {
    await updateBoothRow(boothId, { lastSeenAt: now });
  } catch (err) {
    // A busy database must not fail the booth's request for a presence mark.
    console.error(`[auth] could not mark booth ${boothId} as seen: ${(err as Error).message}`);
  }
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined; // malformed percent-encoding: no cookie at all
    }
  }
  return undefined;
}

export interface Caller {
  role: Role;
  via: 'bearer' | 'cookie' | 'none';
  /** Credentials were presented but are wrong (a wrong Bearer token). */
  badCredentials: boolean;
  /** A cookie came with an unsafe cross-site request: it grants nothing. */
  crossSite: boolean;
  /** A paired booth (its login cookie): the booth, and the event it acts for. */
  boothId?: string;
  eventId?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether an Origin header names this server: the host the request was sent to, PUBLIC_URL's,
 * or (behind a trusted proxy only) the forwarded host. No Origin at all is not "same origin".
 */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [forwardedHost(request.headers), request.headers.get('host')];
  const { publicUrl } = getConfig();
  if (publicUrl) hosts.push(new URL(publicUrl).host);
  return hosts.some((h) => h && h.toLowerCase() === originHost);
}

/**
 * The Origin rule of requests that set or end a login (login CSRF, forced logout): a browser
 * always sends Origin on such a POST, so a foreign one is refused. Scripts that send none pass.
 */
export function requireOwnOrigin(request: Request): void {
  if (request.headers.get('origin') !== null && !sameOrigin(request)) {
    throw new ApiError('forbidden', 'Cross-site request refused.');
  }
}

/**
 * The locks of a request that sets a login cookie (login, booth pairing): no foreign Origin, and
 * a JSON body only. A cross-site HTML form can post text/plain or a form encoding without a
 * preflight; JSON it cannot, so no other site can log a browser into a login of its own (login CSRF).
 */
export function requireLoginRequest(request: Request, example: string): void {
  requireOwnOrigin(request);
  const mime = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (mime !== 'application/json')
    throw new ApiError('unsupported_media_type', `Send it as JSON: ${example}.`);
}

export async function identify(request: Request): Promise<Caller> {
  const authz = request.headers.get('authorization');
  if (authz) {
    const m = /^Bearer\s+(.+)$/i.exec(authz.trim());
    const role = m?.[1] ? roleForToken(m[1].trim()) : null;
    return role
      ? { role, via: 'bearer', badCredentials: false, crossSite: false }
      : { role: 'guest', via: 'bearer', badCredentials: true, crossSite: false };
  }
  const cookie = authCookieValue(request);
  const login = cookie ? await loginFromCookie(cookie) : null;
  if (login) {
    // SameSite=Strict already keeps the cookie off cross-site requests; the Origin check is the
    // second lock for browsers or proxies that do not honour it.
    if (!SAFE_METHODS.has(request.method) && !sameOrigin(request)) {
      return { role: 'guest', via: 'cookie', badCredentials: false, crossSite: true };
    }
    return {
      role: login.role,
      via: 'cookie',
      badCredentials: false,
      crossSite: false,
      ...(login.boothId && { boothId: login.boothId, eventId: login.eventId }),
    };
  }
  return { role: 'guest', via: 'none', badCredentials: false, crossSite: false };
}

export function authCookieValue(request: Request): string | undefined {
  return readCookie(request.headers.get('cookie'), AUTH_COOKIE);
}

/** Throws 401 for missing or wrong credentials, 403 for a role below what is needed. */
export function requireRole(caller: Caller, needed: Role): void {
  if (atLeast(caller.role, needed)) return;
  if (caller.crossSite) throw new ApiError('forbidden', 'Cross-site request refused.');
  if (caller.badCredentials || caller.via === 'none') {
    throw new ApiError('unauthorized', `This needs the ${needed} token (Authorization: Bearer …).`);
  }
  throw new ApiError('forbidden', `This needs the ${needed} role.`);
}

// ---------------------------------------------------------------------------------------------
// Login rate limit: a fixed window per client address, counted in the database so that every
// worker process shares it. There is no window shared by all clients: a guesser elsewhere must
// not lock the staff out. The address is the socket's (server.mjs) unless TRUST_PROXY is set,
// so a client cannot pick a fresh one per try; IPv6 clients are counted per /64, which is what
// one subscriber usually holds.

export const LOGIN_WINDOW_MS = 60_000;
export const LOGIN_MAX_PER_ADDRESS = 10;

/**
 * The client's address: the LAST X-Forwarded-For entry, the one the trusted proxy in front added
 * (nginx's $proxy_add_x_forwarded_for appends the socket address to whatever the client sent, so
 * the first entries are the client's own to choose). Without TRUST_PROXY server.mjs sets the header
 * to the socket's address alone.
 */
export function clientAddress(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() || 'local';
}

/** The key an address is counted under: IPv4 as it is, IPv6 by its /64 prefix. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Counts one attempt of `what` from this request's address; 429 past `max` in the window. */
export async function takeRateLimited(
  what: string,
  request: Request,
  max: number,
  windowMs: number,
  message: (retrySeconds: number) => string,
  now = new Date(),
): Promise<void> {
  const { count, resetAt } = await hitRateLimit(
    `${what}:${addressKey(clientAddress(request))}`,
    now,
    windowMs,
  );
  if (count <= max) return;
  const retry = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
  throw new ApiError('too_many_requests', message(retry), undefined, { 'Retry-After': String(retry) });
}

export async function checkLoginRate(request: Request, now = new Date()): Promise<void> {
  await takeRateLimited(
    'login',
    request,
    LOGIN_MAX_PER_ADDRESS,
    LOGIN_WINDOW_MS,
    (s) => `Too many login attempts; try again in ${s} s.`,
    now,
  );
}

export async function resetLoginRateForTests(): Promise<void> {
  await clearRateLimits();
}

export function resetTokensForTests(): void {
  g.__pbTokens = undefined;
}
