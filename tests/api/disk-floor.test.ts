import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as create from '@/app/api/session/create/route';
import * as stats from '@/app/api/sessions/stats/route';
import { resetConfigForTests } from '@/lib/config';
import { useTestEnv } from '../support/env';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import { storedBlobNames } from '../support/storage';

const env = useTestEnv();

function setFloorMb(mb: number) {
  process.env.DISK_FREE_FLOOR_MB = String(mb);
  resetConfigForTests();
}

async function newSession(type: 'upload' | 'download' = 'upload') {
  const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: { type } });
  return r.json.session.id as string;
}

const upload = async (id: string, as?: string) =>
  call(photos.POST, {
    path: `/api/session/${id}/photos`,
    params: { id },
    as,
    body: photoForm(await img.jpeg(640, 480)),
  });

describe('the free-space floor', () => {
  it('the admin totals show the free disk and the floor', async () => {
    setFloorMb(100);
    const r = await call(stats.GET, { path: '/api/sessions/stats', as: 'admin' });
    const free = fs.statfsSync(env.dataDir());
    expect(r.json.disk_floor_bytes).toBe(100 * 1024 * 1024);
    // The same file system's free space (within what other processes wrote meanwhile).
    expect(Math.abs(r.json.disk_free_bytes - free.bavail * free.bsize)).toBeLessThan(512 * 1024 * 1024);
  });

  it('below the floor, photos, results and compose are refused with 507 and nothing is stored', async () => {
    setFloorMb(0);
    const id = await newSession();
    expect((await upload(id)).status).toBe(201);
    const download = await newSession('download');
    // A floor above the disk's whole free space: the disk counts as nearly full.
    const freeMb = Math.ceil(
      (fs.statfsSync(env.dataDir()).bavail * fs.statfsSync(env.dataDir()).bsize) / 2 ** 20,
    );
    setFloorMb(freeMb + 1024);
    const refused = await upload(id);
    expect(refused.status).toBe(507);
    expect(refused.json.error.code).toBe('storage_unavailable');
    expect(refused.json.error.message).toMatch(/nearly full/);
    const asBooth = await upload(id, 'booth');
    expect(asBooth.status).toBe(507);
    const res = await call(result.POST, {
      path: `/api/session/${download}/result`,
      params: { id: download },
      as: 'booth',
      body: photoForm(await img.jpeg()),
    });
    expect(res.status).toBe(507);
    const composed = await call(compose.POST, {
      path: `/api/session/${id}/compose`,
      params: { id },
      as: 'booth',
      json: { layout: 'single' },
    });
    expect(composed.status).toBe(507);
    // Nothing half-stored: one photo (two files) in the session, no result, nothing in tmp.
    const listed = await call(photos.GET, { path: `/api/session/${id}/photos`, params: { id } });
    expect(listed.json.photos).toHaveLength(1);
    expect(await storedBlobNames(`photos/${id}/`)).toHaveLength(2);
    expect(fs.readdirSync(path.join(env.dataDir(), 'tmp'))).toEqual([]);
    // Space freed: it takes photos again.
    setFloorMb(0);
    expect((await upload(id)).status).toBe(201);
  });
});
