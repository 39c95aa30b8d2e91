import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { getConfig } from './config';
import { ApiError } from './errors';
import { atLeast, type Role } from './roles';

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

/** Cookie value: role plus an HMAC keyed by that role's token, so changing a token logs everyone out. */
export function cookieValueFor(role: Exclude<Role, 'guest'>): string {
  const key = getTokens()[role];
  return `${role}.${createHmac('sha256', key).update(`pb-cookie-v1:${role}`).digest('base64url')}`;
}

function roleFromCookie(value: string): Exclude<Role, 'guest'> | null {
  const role = value.split('.')[0];
  if (role !== 'booth' && role !== 'admin') return null;
  return safeEqual(value, cookieValueFor(role)) ? role : null;
}

function readCookie(header: string | null, name: string): string | undefined {
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
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [request.headers.get('x-forwarded-host'), request.headers.get('host')];
  const { publicUrl } = getConfig();
  if (publicUrl) hosts.push(new URL(publicUrl).host);
  return hosts.some((h) => h && h.split(',')[0]?.trim() === originHost);
}

export function identify(request: Request): Caller {
  const authz = request.headers.get('authorization');
  if (authz) {
    const m = /^Bearer\s+(.+)$/i.exec(authz.trim());
    const role = m?.[1] ? roleForToken(m[1].trim()) : null;
    return role
      ? { role, via: 'bearer', badCredentials: false, crossSite: false }
      : { role: 'guest', via: 'bearer', badCredentials: true, crossSite: false };
  }
  const cookie = readCookie(request.headers.get('cookie'), AUTH_COOKIE);
  const role = cookie ? roleFromCookie(cookie) : null;
  if (role) {
    // SameSite=Strict already keeps the cookie off cross-site requests; the Origin check is the
    // second lock for browsers or proxies that do not honour it.
    if (!SAFE_METHODS.has(request.method) && !sameOrigin(request)) {
      return { role: 'guest', via: 'cookie', badCredentials: false, crossSite: true };
    }
    return { role, via: 'cookie', badCredentials: false, crossSite: false };
  }
  return { role: 'guest', via: 'none', badCredentials: false, crossSite: false };
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
// Login rate limit: fixed windows kept on globalThis, one per client address and one for all
// clients together. Behind `next start` the address comes from X-Forwarded-For, which a client can
// set itself (Next only fills it in when absent), so the shared window is what bounds a guesser
// who changes that header on every try.

const LOGIN_WINDOW_MS = 60_000;
const LOGIN_MAX_PER_ADDRESS = 10;
const LOGIN_MAX_TOTAL = 60;
const gl = globalThis as unknown as { __pbLoginAttempts?: Map<string, { count: number; resetAt: number }> };

export function clientAddress(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'local';
}

function takeAttempt(key: string, max: number, now: number): void {
  gl.__pbLoginAttempts ??= new Map();
  const map = gl.__pbLoginAttempts;
  if (map.size > 10_000) for (const [k, v] of map) if (v.resetAt <= now) map.delete(k);
  const entry = map.get(key);
  if (!entry || entry.resetAt <= now) {
    map.set(key, { count: 1, resetAt: now + LOGIN_WINDOW_MS });
    return;
  }
  entry.count++;
  if (entry.count > max) {
    const retry = Math.ceil((entry.resetAt - now) / 1000);
    throw new ApiError('too_many_requests', `Too many login attempts; try again in ${retry} s.`, undefined, {
      'Retry-After': String(retry),
    });
  }
}

export function checkLoginRate(request: Request, now = Date.now()): void {
  takeAttempt('*', LOGIN_MAX_TOTAL, now);
  takeAttempt(`ip:${clientAddress(request)}`, LOGIN_MAX_PER_ADDRESS, now);
}

export function resetLoginRateForTests(): void {
  gl.__pbLoginAttempts = undefined;
}

export function resetTokensForTests(): void {
  g.__pbTokens = undefined;
}
