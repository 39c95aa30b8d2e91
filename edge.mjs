// What server.mjs answers itself, before a request reaches Next.js: requests Next would answer with a
// bare `500 text/plain` (a path with a malformed percent-escape: Next decodes the dynamic segments
// before any handler runs; a method Next does not know, such as TRACE), and the one JSON 405 of
// every API route, present and future (Next's own 405 has an empty body and no Allow header).
//
//   /api/* → JSON {"error": {"code", "message"}}: 400 invalid_path, 405 method_not_allowed (+ Allow)
//   pages  → a small HTML page, 400 or 405, with the security headers of next.config.mjs
import fs from 'node:fs';
import path from 'node:path';

/** The methods Next.js routes (HEAD and OPTIONS are implemented by Next for every API route). */
const NEXT_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** True when every segment of the path (before any ?) percent-decodes as UTF-8. */
export function pathDecodes(url) {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  if (!pathname.includes('%')) return true;
  for (const segment of pathname.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return false;
    }
  }
  return true;
}

/** The HTTP methods a route file exports (`export const GET`, `export function POST`, `export { a as PUT }`). */
export function exportedMethods(source) {
  const names = new Set();
  for (const m of source.matchAll(
    /export\s+(?:async\s+)?(?:function\*?|const|let|var)\s+([A-Za-z_$][\w$]*)/g,
  ))
    names.add(m[1]);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  }
  return ROUTE_METHODS.filter((method) => names.has(method));
}

/**
 * The API routes of the build (its app-paths-manifest.json), each with the methods its route file
 * exports. A route whose source cannot be read is left out: Next answers it as it would.
 */
export function loadApiRoutes(root, distDir) {
  let manifest;
  try {
    manifest = JSON.parse(
      fs.readFileSync(path.join(root, distDir, 'server', 'app-paths-manifest.json'), 'utf8'),
    );
  } catch {
    return [];
  }
  const routes = [];
  for (const key of Object.keys(manifest)) {
    if (!key.startsWith('/api/') || !key.endsWith('/route')) continue;
    const pattern = key.slice(0, -'/route'.length);
    let source;
    for (const ext of ['ts', 'js', 'tsx', 'mjs']) {
      try {
        source = fs.readFileSync(path.join(root, 'app', `${pattern.slice(1)}/route.${ext}`), 'utf8');
        break;
      } catch {
        // try the next extension
      }
    }
    if (source === undefined) continue;
    const methods = exportedMethods(source);
    if (methods.length === 0) continue;
    const segments = pattern.split('/').filter(Boolean);
    routes.push({ pattern, segments, methods });
  }
  return routes;
}

function segmentRank(s) {
  if (s.startsWith('[[...')) return 0;
  if (s.startsWith('[...')) return 1;
  if (s.startsWith('[')) return 2;
  return 3;
}

function matches(segments, parts) {
  let i = 0;
  for (const s of segments) {
    if (s.startsWith('[[...')) return true;
    if (s.startsWith('[...')) return i < parts.length;
    if (i >= parts.length) return false;
    if (!s.startsWith('[') && s !== parts[i]) return false;
    i++;
  }
  return i === parts.length;
}

/** The route Next would pick for a path: static segments before dynamic ones before catch-alls. */
export function findRoute(routes, pathname) {
  let parts;
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let best;
  let bestRank;
  for (const r of routes) {
    if (!matches(r.segments, parts)) continue;
    const rank = r.segments.map(segmentRank);
    if (!best || compareRanks(rank, bestRank) > 0) {
      best = r;
      bestRank = rank;
    }
  }
  return best;
}

function compareRanks(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** What Next answers for a route: its methods, HEAD where it has GET, and OPTIONS. */
export function allowOf(route) {
  const allow = new Set(route.methods);
  if (allow.has('GET')) allow.add('HEAD');
  allow.add('OPTIONS');
  return ROUTE_METHODS.filter((m) => allow.has(m));
}

/** The headers next.config.mjs sets on every path ('/:path*'), for the pages answered here. */
export async function securityHeaders(root) {
  try {
    const { default: config } = await import(path.join(root, 'next.config.mjs'));
    const rules = typeof config.headers === 'function' ? await config.headers() : [];
    const out = {};
    for (const rule of rules) {
      if (rule.source !== '/:path*') continue;
      for (const h of rule.headers) out[h.key] = h.value;
    }
    return out;
  } catch (err) {
    console.error('[server] cannot read the security headers of next.config.mjs:', err.message);
    return {
      'Content-Security-Policy':
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    };
  }
}

const HTML_TEXT = {
  400: ['Bad request', 'This address is malformed. Check the link and try again.'],
  405: ['Method not allowed', 'This page cannot be requested that way.'],
};

/**
 * A request guard for server.mjs: returns true when it answered the request itself, false when the
 * request goes on to Next.
 */
export function createGuard({ routes, headers }) {
  const answer = (req, res, status, api, code, message, extra = {}) => {
    // The body of the request is not read: do not keep the connection for it.
    const close = req.headers['content-length'] || req.headers['transfer-encoding'];
    if (api) {
      const body = JSON.stringify({ error: { code, message } });
      res.writeHead(status, {
        ...headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(body),
        ...extra,
        ...(close ? { Connection: 'close' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else {
      const [title, text] = HTML_TEXT[status];
      const body = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>${title}</h1><p>${text}</p><p><a href="/">Home</a></p></body></html>`;
      res.writeHead(status, {
        ...headers,
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(body),
        ...extra,
        ...(close ? { Connection: 'close' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    }
    return true;
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const api = url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
    const known = NEXT_METHODS.has(req.method);
    if (!pathDecodes(url)) {
      return answer(req, res, 400, api, 'invalid_path', 'The path has a malformed percent-escape (%XX).');
    }
    if (api) {
      const q = url.indexOf('?');
      const route = findRoute(routes, q === -1 ? url : url.slice(0, q));
      if (route) {
        const allow = allowOf(route);
        if (!allow.includes(req.method)) {
          const use = route.methods.filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
          return answer(req, res, 405, true, 'method_not_allowed', `Use ${use.join(' or ')} here.`, {
            Allow: allow.join(', '),
          });
        }
        return false;
      }
    }
    if (!known) {
      const allow = api ? 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' : 'GET, HEAD';
      return answer(req, res, 405, api, 'method_not_allowed', `${req.method} is not supported.`, {
        Allow: allow,
      });
    }
    return false;
  };
}
