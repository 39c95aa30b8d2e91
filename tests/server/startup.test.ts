import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/lib/util';
import { dbRows } from '../support/db';
import { makeTempDir } from '../support/env';
import { createTestDatabase, hostedEnv, isHosted } from '../support/mode';
import { distDir, ensureBuilt, startServer } from '../support/server';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('server start-up', () => {
  it('a bad configuration value stops the server with a message naming it', async () => {
    ensureBuilt();
    const dir = makeTempDir();
    dirs.push(dir);
    const r = spawnSync(process.execPath, ['server.mjs', '-p', String(await freePort()), '-H', '127.0.0.1'], {
      env: {
        ...process.env,
        DATA_DIR: dir,
        NEXT_DIST_DIR: distDir(),
        SESSION_TTL_MINUTES: 'half an hour',
        NEXT_TELEMETRY_DISABLED: '1',
      },
      timeout: 60_000,
      encoding: 'utf8',
    });
    // It exits by itself (not killed by the timeout), with a failure code.
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/SESSION_TTL_MINUTES/);
  }, 90_000);

  it('without tokens in the env it generates strong ones once, mode 0600, and they work (hosted: refuses to start)', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    if (isHosted()) {
      // Every instance must accept the same tokens: generated ones would be one instance's own.
      // (The error carries the servers' logs; only its text is checked, as a string.)
      const refused = await startServer(dir, { BOOTH_TOKEN: '', ADMIN_TOKEN: '' }).then(
        async (s) => {
          await s.stop();
          return 'started';
        },
        (err: Error) => String(err.message),
      );
      expect(refused).toContain('BOOTH_TOKEN and ADMIN_TOKEN are required with DATABASE_URL');
      return;
    }
    const server = await startServer(dir, { BOOTH_TOKEN: '', ADMIN_TOKEN: '' });
    let boothCookie = '';
    try {
      const file = path.join(dir, 'tokens.json');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const tokens = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(tokens.booth_token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(tokens.admin_token).not.toBe(tokens.booth_token);
      expect(server.logs()).toContain(file);
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: tokens.admin_token }),
      });
      expect(await login.json()).toEqual({ role: 'admin' });
      const create = await fetch(`${server.url}/api/session/create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.booth_token}`, 'content-type': 'application/json' },
        body: '{"type":"upload"}',
      });
      expect(create.status).toBe(201);
      // Beside the tokens: a link that pairs the default event's first booth, once.
      const link = /\[booth\] to pair "Booth 1" open (\S+)\/booth\?pair=(\d{6})/.exec(server.logs());
      expect(link, server.logs()).not.toBeNull();
      expect(server.logs().match(/booth\?pair=/g)).toHaveLength(1);
      const paired = await fetch(`${server.url}/api/booth/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: link?.[2] }),
      });
      expect(paired.status).toBe(200);
      expect((await paired.json()).booth.name).toBe('Booth 1');
      boothCookie = String(paired.headers.get('set-cookie')).split(';')[0] as string;
    } finally {
      await server.stop('SIGTERM');
    }
    // A restart keeps the same tokens, prints no pairing link once the booth is paired, and the
    // paired booth keeps working: its login is in the database, not in the process.
    const before = fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8');
    const again = await startServer(dir, { BOOTH_TOKEN: '', ADMIN_TOKEN: '' });
    try {
      const me = await fetch(`${again.url}/api/booth/me`, { headers: { cookie: boothCookie } });
      expect(me.status).toBe(200);
      const made = await fetch(`${again.url}/api/session/create`, {
        method: 'POST',
        headers: { cookie: boothCookie, origin: again.url, 'content-type': 'application/json' },
        body: '{"type":"upload"}',
      });
      expect(made.status).toBe(201);
      const { session } = await made.json();
      expect(session.booth_id).toBe((await me.json()).booth.id);
    } finally {
      await again.stop('SIGTERM');
    }
    expect(again.logs()).not.toContain('booth?pair=');
    expect(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8')).toBe(before);
  }, 120_000);

  it('migrations apply idempotently (npm run db:migrate twice on a fresh directory or database)', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    // Hosted: a fresh database of the run's PostgreSQL (the one startServer(dir) would use).
    // (With DATABASE_URL the tokens are required, as on every instance: the deploy's environment.)
    const hosted = isHosted()
      ? {
          ...hostedEnv(await createTestDatabase(dir)),
          BOOTH_TOKEN: 'migrate-booth-0123456789',
          ADMIN_TOKEN: 'migrate-admin-0123456789',
        }
      : {};
    for (let i = 0; i < 2; i++) {
      const r = spawnSync('npx', ['tsx', 'scripts/migrate.ts'], {
        env: { ...process.env, DATA_DIR: dir, ...hosted },
        encoding: 'utf8',
        timeout: 60_000,
      });
      // (The output as a plain string: a stack trace in it trips vitest's source-map reader.)
      expect(r.status, String(r.stderr).replace(/\s+at .*/g, '')).toBe(0);
    }
    // The schema is there, with the default event made once.
    expect(await dbRows('select count(*) as n from events', [], dir)).toEqual([{ n: 1 }]);
  }, 90_000);
});
