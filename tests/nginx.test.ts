import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX_ERRORS_MAP, NGINX_ERRORS_SERVER, type RunningNginx, startNginx } from './support/nginx';

/**
 * The nginx site of docs/hosting.md in front of two tiny app instances: what a fleet behind it
 * relies on. Round-robin, event streams not held back, big uploads passed (and streamed through).
 */

interface Upstream {
  name: string;
  server: http.Server;
  address: string;
  seen: http.IncomingHttpHeaders[];
}

const signals = new EventEmitter();

function handler(name: string, seen: http.IncomingHttpHeaders[]): http.RequestListener {
  return (req, res) => {
    seen.push(req.headers);
    if (req.url === '/who') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, headers: req.headers }));
      return;
    }
    if (req.url === '/api/session/s1/events') {
      // Deliberately without X-Accel-Buffering: the site's own location must not buffer.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`event: hello\ndata: {"from":"${name}"}\n\n`);
      const end = () => {
        res.end('event: bye\ndata: {}\n\n');
        signals.emit('stream-ended');
      };
      const timer = setTimeout(end, 10_000);
      signals.once('release', () => {
        clearTimeout(timer);
        end();
      });
      return;
    }
    if (req.url === '/upload' && req.method === 'POST') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        if (bytes === 0) signals.emit('upload-started');
        bytes += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ name, bytes, sha256: hash.digest('hex') }));
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  };
}

async function upstream(name: string): Promise<Upstream> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer(handler(name, seen));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { name, server, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let a: Upstream;
let b: Upstream;
let nginx: RunningNginx;

beforeAll(async () => {
  a = await upstream('a');
  b = await upstream('b');
  nginx = await startNginx({ upstreams: [a.address, b.address], maxBodySize: '25m' });
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  a?.server.closeAllConnections();
  b?.server.closeAllConnections();
  a?.server.close();
  b?.server.close();
});

describe('nginx in front of two instances', () => {
  it('sends requests round-robin to both, with X-Forwarded-For and -Proto', async () => {
    const names: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${nginx.url}/who`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { name: string; headers: Record<string, string> };
      names.push(body.name);
      expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(body.headers['x-forwarded-proto']).toBe('http');
      expect(body.headers.host).toBe(`127.0.0.1:${nginx.port}`);
      expect(body.headers['x-forwarded-host']).toBe(`127.0.0.1:${nginx.port}`);
      expect(body.headers.connection).not.toBe('close'); // keep-alive to the upstreams
    }
    expect(names.filter((n) => n === 'a').length).toBe(4);
    expect(names.filter((n) => n === 'b').length).toBe(4);
  });

  // The test nginx compresses text/event-stream as many servers do (gzip on in its http block):
  // with proxy_buffering on and no `gzip off`, the first event only came when the stream ended.
  it('streams an event stream through: the first event arrives while the upstream is still open', async () => {
    let ended = false;
    signals.once('stream-ended', () => {
      ended = true;
    });
    const started = Date.now();
    // As a browser's EventSource asks: compressed if possible.
    const res = await fetch(`${nginx.url}/api/session/s1/events`, {
      headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('event: hello');
    expect(ended).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    signals.emit('release');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toContain('event: bye');
    expect(ended).toBe(true);
  });

  it('passes a 20 MB upload byte for byte, streamed to the app as it arrives', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    const port = nginx.port;
    const result = await new Promise<{ status: number; json: { bytes: number; sha256: string } }>(
      (resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/upload',
            method: 'POST',
            headers: { 'content-type': 'image/jpeg' },
          },
          (res) => {
            let text = '';
            res.on('data', (c) => {
              text += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        // The first MiB, then the rest only once the app has seen bytes: a buffering proxy would
        // hold the first MiB until the whole body came, and this would time out.
        req.write(body.subarray(0, 1024 * 1024));
        const timer = setTimeout(
          () => reject(new Error('the app saw no byte before the upload ended')),
          10_000,
        );
        signals.once('upload-started', () => {
          clearTimeout(timer);
          req.end(body.subarray(1024 * 1024));
        });
      },
    );
    expect(result.status).toBe(200);
    expect(result.json.bytes).toBe(body.length);
    expect(result.json.sha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('refuses a body over client_max_body_size with 413 before the app sees it', async () => {
    const before = a.seen.length + b.seen.length;
    const res = await fetch(`${nginx.url}/upload`, { method: 'POST', body: Buffer.alloc(26 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(a.seen.length + b.seen.length).toBe(before);
    const api = await fetch(`${nginx.url}/api/session/x/photos`, {
      method: 'POST',
      body: Buffer.alloc(26 * 1024 * 1024),
    });
    expect(api.status).toBe(413);
    expect((await api.json()).error.code).toBe('payload_too_large');
  });

  it("answers nginx's own refusals as the app does: JSON under /api/, small HTML pages elsewhere", async () => {
    const cases: [string, string, number, string][] = [
      ['GET', '/api/pictures/%E0%A4%A', 400, 'invalid_path'],
      ['GET', '/s/%ZZ', 400, ''],
      ['TRACE', '/api/session/x', 405, 'method_not_allowed'],
      ['TRACE', '/', 405, ''],
      ['GET', `/api/${'A'.repeat(9000)}`, 414, 'invalid_path'],
    ];
    for (const [method, path, status, code] of cases) {
      const res = await rawStatus(nginx.port, method, path);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      if (code) expect(JSON.parse(res.body).error.code).toBe(code);
      else expect(res.body).toMatch(/^<!doctype html>/);
    }
  });

  it('answers 503 server_busy in JSON when no instance answers', async () => {
    const down = await startNginx({ upstreams: ['127.0.0.1:1'], maxBodySize: '1m' });
    try {
      const res = await fetch(`${down.url}/api/session/x`);
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe('server_busy');
    } finally {
      await down.stop();
    }
  });

  it('the site in docs/hosting.md carries the same error pages as the tested one', () => {
    const doc = fs.readFileSync('docs/hosting.md', 'utf8');
    expect(doc).toContain(NGINX_ERRORS_MAP);
    expect(doc).toContain(NGINX_ERRORS_SERVER);
  });
});

/** A raw request (fetch refuses TRACE and rewrites malformed escapes). */
function rawStatus(
  port: number,
  method: string,
  path: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
