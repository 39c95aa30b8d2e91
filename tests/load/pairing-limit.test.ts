import { describe, expect, it } from 'vitest';
import { adminAuth } from '../../bench/lib/servers';
import { PAIR_MAX_PER_ADDRESS } from '../../lib/booths';
import { dbRun } from '../support/db';
import { sendFresh, useCluster } from './support';

/**
 * Pairing against the production server with two workers: guessing codes from one address is
 * stopped after PAIR_MAX_PER_ADDRESS attempts whichever worker answers (the count is in the
 * database), a client-set X-Forwarded-For changes nothing, and the paired cookie works in both.
 */

const cluster = useCluster();

const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  sendFresh(cluster.server().url, method, path, headers, body);

describe('pairing across two workers', () => {
  it(`lets ${PAIR_MAX_PER_ADDRESS} guesses through per address, then 429, whichever worker answers`, async () => {
    const events = JSON.parse((await send('GET', '/api/events', adminAuth)).text).events;
    const made = await send('POST', `/api/events/${events[0].id}/booths`, adminAuth, '{"name":"Booth A"}');
    expect(made.status).toBe(201);
    const { code } = JSON.parse(made.text).pairing as { code: string };
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    const statuses: number[] = [];
    for (let i = 0; i < PAIR_MAX_PER_ADDRESS + 6; i++) {
      const r = await send(
        'POST',
        '/api/booth/pair',
        { 'x-forwarded-for': `10.7.${i}.1` },
        JSON.stringify({ code: wrong }),
      );
      statuses.push(r.status);
    }
    expect(statuses.slice(0, PAIR_MAX_PER_ADDRESS)).toEqual(Array(PAIR_MAX_PER_ADDRESS).fill(401));
    expect(statuses.slice(PAIR_MAX_PER_ADDRESS)).toEqual(Array(6).fill(429));
    // The right code from that address waits out the window too.
    const right = await send('POST', '/api/booth/pair', {}, JSON.stringify({ code }));
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);

    // Its window ends (here: emptied in the server's database): the code still works, once.
    await dbRun('delete from rate_limits', [], cluster.dataDir());
    const paired = await send('POST', '/api/booth/pair', {}, JSON.stringify({ code }));
    expect(paired.status).toBe(200);
    const cookie = String(paired.headers['set-cookie']?.[0]).split(';')[0] as string;
    for (let i = 0; i < 4; i++) {
      const me = await send('GET', '/api/booth/me', { cookie });
      expect(me.status).toBe(200);
      expect(JSON.parse(me.text).booth.name).toBe('Booth A');
    }
    expect((await send('POST', '/api/booth/pair', {}, JSON.stringify({ code }))).status).toBe(401);
  }, 120_000);
});
