import os from 'node:os';
import { getConfig } from './config';

/**
 * The base of the guest link that the QR code encodes.
 * 1. PUBLIC_URL when set (hosted, or a booth behind a fixed name).
 * 2. Otherwise the host the request came in on (the booth's own address bar), except that a
 *    loopback host (localhost, 127.x, ::1) is swapped for this machine's first LAN IPv4 address,
 *    keeping the port, so a phone on the same network can open it.
 * 3. With no LAN address at all the loopback link stays, and the booth shows a warning.
 */

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1|0\.0\.0\.0)$/i;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

// Interfaces rarely change; reading them costs ~20 µs, so remember the answer for a few seconds.
const LAN_TTL_MS = 10_000;
const gl = globalThis as unknown as { __pbLan?: { at: number; ip: string | undefined } };

export function firstLanIPv4(): string | undefined {
  const now = Date.now();
  if (gl.__pbLan && now - gl.__pbLan.at < LAN_TTL_MS) return gl.__pbLan.ip;
  const ip = readFirstLanIPv4();
  gl.__pbLan = { at: now, ip };
  return ip;
}

function readFirstLanIPv4(): string | undefined {
  const preferred: string[] = [];
  const others: string[] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      // Container and VPN bridges are rarely what a phone can reach; prefer real interfaces.
      (/^(docker|br-|veth|virbr|tun|tap|zt|tailscale)/.test(name) ? others : preferred).push(a.address);
    }
  }
  return preferred[0] ?? others[0];
}

function firstHeaderValue(value: string | null): string | undefined {
  return value?.split(',')[0]?.trim() || undefined;
}

// A host[:port] as a proxy may forward it: a DNS name, IPv4 or bracketed IPv6, nothing else.
const HOST_RE =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * X-Forwarded-Host, only behind a trusted reverse proxy (TRUST_PROXY) and only when it is a
 * plain host: without a proxy any client could set it and steer guest links or the Origin check.
 */
export function forwardedHost(headers: Headers): string | undefined {
  if (!getConfig().trustProxy) return undefined;
  const host = firstHeaderValue(headers.get('x-forwarded-host'))?.toLowerCase();
  return host && HOST_RE.test(host) ? host : undefined;
}

/** X-Forwarded-Proto under the same rule, and only http or https. */
export function forwardedProto(headers: Headers): 'http' | 'https' | undefined {
  if (!getConfig().trustProxy) return undefined;
  const proto = firstHeaderValue(headers.get('x-forwarded-proto'))?.toLowerCase();
  return proto === 'http' || proto === 'https' ? proto : undefined;
}

export function baseUrlFromHeaders(headers: Headers, fallbackUrl?: string): string {
  const { publicUrl, port } = getConfig();
  if (publicUrl) return publicUrl;
  const rawHost = firstHeaderValue(headers.get('host'));
  const host = forwardedHost(headers) ?? (rawHost && HOST_RE.test(rawHost) ? rawHost : undefined);
  const fallback = fallbackUrl ? new URL(fallbackUrl) : undefined;
  const fallbackProto = fallback?.protocol === 'https:' ? 'https' : 'http';
  const proto = forwardedProto(headers) ?? fallbackProto;
  let url: URL;
  try {
    url = new URL(`${proto}://${host ?? fallback?.host ?? `localhost:${port}`}`);
  } catch {
    url = new URL(`http://localhost:${port}`);
  }
  if (isLoopbackHost(url.hostname)) {
    const lan = firstLanIPv4();
    if (lan) url.hostname = lan;
  }
  return url.origin;
}

/** Whether the request reached this server over https (directly, or via a trusted proxy). */
export function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || forwardedProto(request.headers) === 'https';
}

export function baseUrlFor(request: Request): string {
  return baseUrlFromHeaders(request.headers, request.url);
}
