import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from '../../bench/lib/util';

/**
 * A throwaway nginx in front of app instances, configured as docs/hosting.md ("nginx") says a
 * deployment should be (without TLS): round-robin over the upstreams, event streams passed through
 * unbuffered, uploads streamed to the app unbuffered, the body size limit, X-Forwarded-* headers,
 * HTTP/1.1 keep-alive to the upstreams. Its own prefix directory holds the config, pid, logs and
 * temporary files. Debian's `nginx` package (.ci/run installs it).
 */

export interface RunningNginx {
  url: string;
  port: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** "127.0.0.1:PORT" of each app instance. */
  upstreams: string[];
  /** nginx's client_max_body_size, e.g. "30m" (0: no limit). */
  maxBodySize: string | number;
  /** How long an event stream may stay silent before nginx closes it; default one hour. */
  streamReadTimeoutSeconds?: number;
  /** The 127.0.0.1 port to listen on (default: a free one). */
  port?: number;
}

const NGINX =
  ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p)) ?? 'nginx';

const PB_HEADERS = `        add_header Cache-Control "no-store" always;
        add_header Content-Security-Policy "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'" always;
        add_header X-Content-Type-Options "nosniff" always;
        add_header X-Frame-Options "DENY" always;
        add_header Referrer-Policy "no-referrer" always;`;

const html = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>${title}</h1><p>${text}</p><p><a href="/">Home</a></p></body></html>`;

/**
 * nginx's own refusals, answered in the app's shape (as edge.mjs answers them without nginx): JSON
 * {"error": {"code", "message"}} under /api/, a small HTML page with the security headers elsewhere.
 * nginx refuses some requests before any app sees them: a malformed %-escape in the path (400), an
 * address too long (414), TRACE (405), a body over client_max_body_size (413), and it answers for
 * an upstream that is down (502/504: here 503, try again). Part of the site of docs/hosting.md.
 */
export const NGINX_ERRORS_MAP = `# nginx's own refusals in the app's shape: JSON under /api/, a small HTML page elsewhere.
map $request $pb_error_kind {
    "~^[A-Z]+ /api(/|\\?| |$)" json;
    default html;
}`;

const ERRORS: [number, string, string, string, string][] = [
  [
    400,
    'invalid_path',
    'The path is malformed (a bad %-escape).',
    'Bad request',
    'This address is malformed. Check the link and try again.',
  ],
  [
    405,
    'method_not_allowed',
    'This method is not supported.',
    'Method not allowed',
    'This page cannot be requested that way.',
  ],
  [413, 'payload_too_large', 'The request body is too large.', 'Too large', 'What was sent is too large.'],
  [414, 'invalid_path', 'The address is too long.', 'Bad request', 'This address is too long.'],
  [
    503,
    'server_busy',
    'The server is busy; please try again in a moment.',
    'Busy',
    'The server is busy; please try again in a moment.',
  ],
];

export const NGINX_ERRORS_SERVER = `    # nginx's own refusals (see the map above): as the app would answer them.
    error_page 400 /__pb/400;
    error_page 405 /__pb/405;
    error_page 413 /__pb/413;
    error_page 414 /__pb/414;
    error_page 502 503 504 =503 /__pb/503;
    location ^~ /__pb/ {
        internal;
${PB_HEADERS}
        rewrite ^/__pb/(?<pb_status>\\d+)$ /__pb/$pb_status.$pb_error_kind last;
${ERRORS.map(
  ([status, code, message, title, text]) => `        location = /__pb/${status}.json {
            default_type application/json;
            return ${status} '{"error":{"code":"${code}","message":"${message}"}}';
        }
        location = /__pb/${status}.html {
            default_type text/html;
            return ${status} '${html(title, text)}';
        }`,
).join('\n')}
    }
`;

/** The site (an http block's upstream and server), as docs/hosting.md shows it. */
export function nginxSite(opts: NginxOptions & { listen: string }): string {
  return `${NGINX_ERRORS_MAP}
upstream photobooth {
${opts.upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 32;
}

server {
    listen ${opts.listen};

    client_max_body_size ${opts.maxBodySize};
    # Uploads go to the app as they arrive (its own limits and slow-upload timeout apply).
    proxy_request_buffering off;

    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $http_host;
    proxy_read_timeout 120s;
    proxy_send_timeout 120s;

    # Event streams (Server-Sent Events): every event at once, and long silences allowed.
    location ~ ^/api/.+/events$ {
        proxy_pass http://photobooth;
        proxy_buffering off;
        proxy_cache off;
        # Compression would hold events back until a buffer fills or the stream ends.
        gzip off;
        proxy_read_timeout ${opts.streamReadTimeoutSeconds ?? 3600}s;
    }

${NGINX_ERRORS_SERVER}
    location / {
        proxy_pass http://photobooth;
    }
}
`;
}

async function waitListening(
  port: number,
  proc: ChildProcess,
  dir: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      const log = fs.existsSync(path.join(dir, 'error.log'))
        ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8')
        : '';
      throw new Error(`nginx exited at start (code ${proc.exitCode}):\n${log}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nginx did not listen on ${port} within ${timeoutMs / 1000} s`);
}

export async function startNginx(opts: NginxOptions): Promise<RunningNginx> {
  if (opts.upstreams.length === 0) throw new Error('startNginx needs at least one upstream');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-nginx-'));
  const port = opts.port ?? (await freePort());
  for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    fs.mkdirSync(path.join(dir, 'tmp', t), { recursive: true });
  const conf = `# As root, workers would otherwise run as nobody, who cannot write this folder.
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
    # As many servers are set up (Debian's own nginx.conf has gzip on): the site must still not
    # hold event streams back.
    gzip on;
    gzip_min_length 0;
    gzip_types text/event-stream application/json;
    # For the tests only (not part of the site): which app instance answered (hosted.ts servedBy).
    add_header X-Upstream-Addr $upstream_addr always;

${nginxSite({ ...opts, listen: `127.0.0.1:${port}` })}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn(
    NGINX,
    ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr?.on('data', (d) => {
    stderr += d;
  });
  proc.on('error', () => {});
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening(port, proc, dir);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return { url: `http://127.0.0.1:${port}`, port, pid: proc.pid ?? 0, dir, stop };
}
