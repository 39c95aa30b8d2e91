import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  deleteBoothLogins,
  deleteBoothRow,
  deleteUnusedPairings,
  findBooth,
  findLivePairings,
  insertBooth,
  insertPairing,
  listBooths as listBoothRows,
  markPairingUsed,
  transaction,
  updateBoothRow,
} from '@/db/queries';
import type { BoothRow } from '@/db/schema';
import { createLogin, takeRateLimited } from './auth';
import { ApiError } from './errors';
import { defaultEvent, loadEvent } from './event-rules';
import { isUuid } from './sessions';
import type { BoothJson, PairingJson } from './shared/wire';

/**
 * Booths: kiosk devices paired to one event with a 6-digit code instead of a typed token.
 * A code is single use, lives 10 minutes, is unique among the live codes, and is kept only as
 * its sha256. Pairing turns it into the booth's login cookie (lib/auth.ts, a row of
 * auth_sessions tied to the booth): deleting the booth deletes the login, so it stops at once.
 */

export const PAIRING_TTL_MS = 10 * 60_000;
/** Seen within this long: online. */
export const ONLINE_WINDOW_MS = 60_000;
/** Pairing attempts per client address and window (counted in the database, across workers). */
export const PAIR_MAX_PER_ADDRESS = 10;
export const PAIR_WINDOW_MS = 10 * 60_000;

export type { BoothJson, PairingJson };

export function serializeBooth(b: BoothRow, now = new Date()): BoothJson {
  return {
    id: b.id,
    name: b.name,
    event_id: b.eventId,
    last_seen_at: b.lastSeenAt?.toISOString() ?? null,
    online: b.lastSeenAt != null && now.getTime() - b.lastSeenAt.getTime() < ONLINE_WINDOW_MS,
  };
}

export const boothNameSchema = z.string().trim().min(1, 'must not be empty').max(80);
export const createBoothSchema = z.object({ name: boothNameSchema }).strict();
export const updateBoothSchema = z.object({ name: boothNameSchema, event_id: z.string() }).partial().strict();
export const pairSchema = z.object({ code: z.string().max(64) });

export async function loadBooth(id: string): Promise<BoothRow> {
  const booth = isUuid(id) ? await findBooth(id.toLowerCase()) : undefined;
  if (!booth) throw new ApiError('booth_not_found', 'No such booth.');
  return booth;
}

export function listBooths(filter: { eventId?: string } = {}): Promise<BoothRow[]> {
  return listBoothRows(filter);
}

function codeHash(code: string): string {
  return createHash('sha256').update(`pb-pair-v1:${code}`).digest('hex');
}

/** The pairing link a booth opens: `<base>/booth?pair=<code>`. */
export function pairingUrl(baseUrl: string, code: string): string {
  return `${baseUrl}/booth?pair=${code}`;
}

/**
 * A new code for the booth; its earlier unused codes stop working. Call inside a transaction or
 * alone (it opens its own): the uniqueness check and the insert must not interleave.
 */
export async function issuePairing(boothId: string, baseUrl: string, now = new Date()): Promise<PairingJson> {
  return await transaction(async () => {
    await deleteUnusedPairings(boothId);
    for (let attempt = 0; attempt < 50; attempt++) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const hash = codeHash(code);
      if ((await findLivePairings(hash, now)).length > 0) continue;
      const expiresAt = new Date(now.getTime() + PAIRING_TTL_MS);
      await insertPairing({
        id: randomUUID(),
        boothId,
        codeHash: hash,
        createdAt: now,
        expiresAt,
        usedAt: null,
      });
      return { code, url: pairingUrl(baseUrl, code), expires_at: expiresAt.toISOString() };
    }
    // A million codes and a handful live: this needs ~hundreds of thousands of unpaired booths.
    throw new ApiError('server_busy', 'No free pairing code right now; try again.');
  });
}

export async function createBooth(
  eventId: string,
  name: string,
  baseUrl: string,
  now = new Date(),
): Promise<{ booth: BoothRow; pairing: PairingJson }> {
  return await transaction(async () => {
    const event = await loadEvent(eventId);
    const booth: BoothRow = { id: randomUUID(), eventId: event.id, name, createdAt: now, lastSeenAt: null };
    await insertBooth(booth);
    return { booth, pairing: await issuePairing(booth.id, baseUrl, now) };
  });
}

export async function newPairing(boothId: string, baseUrl: string, now = new Date()): Promise<PairingJson> {
  return await transaction(async () => await issuePairing((await loadBooth(boothId)).id, baseUrl, now));
}

/** Renames a booth or moves it to another event (its login then acts for the new event at once). */
export async function updateBooth(
  id: string,
  input: { name?: string; event_id?: string },
): Promise<BoothRow> {
  return await transaction(async () => {
    const booth = await loadBooth(id);
    const patch: { name?: string; eventId?: string } = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.event_id !== undefined) patch.eventId = (await loadEvent(input.event_id)).id;
    if (Object.keys(patch).length) await updateBoothRow(booth.id, patch);
    return await loadBooth(booth.id);
  });
}

/** Deletes a booth: its codes and its login go with it (cascade); its sessions stay, booth_id null. */
export async function deleteBooth(id: string): Promise<void> {
  const booth = await loadBooth(id);
  await deleteBoothRow(booth.id);
}

export async function checkPairRate(request: Request, now = new Date()): Promise<void> {
  await takeRateLimited(
    'pair',
    request,
    PAIR_MAX_PER_ADDRESS,
    PAIR_WINDOW_MS,
    (s) => `Too many pairing attempts; try again in ${s} s.`,
    now,
  );
}

const invalidCode = () =>
  new ApiError('invalid_code', 'That code is not right, was used already, or has expired.');

/**
 * Takes a pairing code: single use (taken in one statement, so two devices cannot both pair with
 * it), 10 minutes. The booth's earlier logins end: one device per booth, the new one replaces it.
 * Returns the booth and the login cookie's value.
 */
export async function pairWithCode(
  rawCode: string,
  now = new Date(),
): Promise<{ booth: BoothRow; cookie: string }> {
  const code = rawCode.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(code)) throw invalidCode();
  const hash = codeHash(code);
  return await transaction(async () => {
    const want = Buffer.from(hash, 'hex');
    const pairing = (await findLivePairings(hash, now)).find((p) =>
      timingSafeEqual(Buffer.from(p.codeHash, 'hex'), want),
    );
    if (!pairing || !(await markPairingUsed(pairing.id, now))) throw invalidCode();
    const booth = await findBooth(pairing.boothId);
    if (!booth) throw invalidCode();
    await deleteBoothLogins(booth.id);
    await updateBoothRow(booth.id, { lastSeenAt: now });
    const cookie = await createLogin('booth', now, booth.id);
    return { booth: { ...booth, lastSeenAt: now }, cookie };
  });
}

/**
 * The first start of a fresh install: a pairing link for the default event, so the booth can be
 * set up by opening one link. Makes "Booth 1" when the default event has no booth; issues a code
 * for the first booth that was never paired; null when every booth was paired already.
 */
export async function startupPairing(
  baseUrl: string,
  now = new Date(),
): Promise<{ booth: BoothRow; pairing: PairingJson } | null> {
  return await transaction(async () => {
    const event = await defaultEvent();
    const existing = await listBoothRows({ eventId: event.id });
    if (existing.length === 0) return await createBooth(event.id, 'Booth 1', baseUrl, now);
    const unpaired = existing.find((b) => b.lastSeenAt == null);
    return unpaired ? { booth: unpaired, pairing: await issuePairing(unpaired.id, baseUrl, now) } : null;
  });
}
