import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  or,
  type SQL,
  sql,
  sum,
} from 'drizzle-orm';
import {
  all,
  conn,
  dbTime,
  dialect,
  get,
  inTransaction,
  run,
  sqliteStatement,
  transaction,
} from './connection';
import type { Db } from './index';
import {
  type AuthSessionRow,
  authSessions,
  type BoothPairingRow,
  type BoothRow,
  boothPairings,
  booths,
  type EventRow,
  type EventStatsRow,
  eventStats,
  events,
  type NewAuthSessionRow,
  type NewBoothRow,
  type NewEventRow,
  type NewPhotoRow,
  type NewPictureRow,
  type NewSessionRow,
  type NewTelegramLinkRow,
  type PhotoRow,
  type PhotoType,
  type PictureRow,
  pictures,
  rateLimits,
  type SessionRow,
  type SessionStatus,
  type SessionType,
  sessionChanges,
  sessionPhotos,
  sessions,
  type TelegramLinkRow,
  type TelegramUpdateRow,
  telegramLinks,
  telegramUpdates,
  uploadSlots,
} from './schema';

/** Every SQL statement of the product, named. Callers never build SQL themselves. */

export interface SessionWithCounts extends SessionRow {
  photoCount: number;
  hasResult: boolean;
  /** The token of the session's picture (its take-home link), null while there is none. */
  pictureToken: string | null;
}

// Written out with qualified names: inside a correlated subquery an unqualified "id" would bind
// to session_photos.id.
const photoCountSql = sql<number>`(select count(*) from "session_photos" p where p."session_id" = "sessions"."id" and p."photo_type" = 'uploaded')`;
const hasResultSql = sql<number>`exists(select 1 from "session_photos" p where p."session_id" = "sessions"."id" and p."photo_type" = 'result')`;
const pictureTokenSql = sql<
  string | null
>`(select pc."token" from "pictures" pc where pc."session_id" = "sessions"."id")`;

function withCounts(
  row: SessionRow & { photoCount: number; hasResult: number | boolean; pictureToken: string | null },
): SessionWithCounts {
  return {
    ...row,
    photoCount: Number(row.photoCount),
    hasResult: Boolean(row.hasResult),
    pictureToken: row.pictureToken ?? null,
  };
}

export async function insertSession(row: NewSessionRow): Promise<void> {
  const db = await conn();
  await run(db.insert(sessions).values(row));
}

// The hottest query (every request and every live event reads a session): prepared once per
// connection, it costs ~6 µs instead of ~85 µs of query building (BENCHMARKS.md, B1).
const findSessionStatements = new WeakMap<Db, ReturnType<typeof prepareFindSession>>();
function prepareFindSession(db: Db) {
  return db
    .select({
      ...sessionColumns(),
      photoCount: photoCountSql,
      hasResult: hasResultSql,
      pictureToken: pictureTokenSql,
    })
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
}

export async function findSession(id: string): Promise<SessionWithCounts | undefined> {
  const db = await conn();
  if (dialect() === 'pg') {
    const query = db
      .select({
        ...sessionColumns(),
        photoCount: photoCountSql,
        hasResult: hasResultSql,
        pictureToken: pictureTokenSql,
      })
      .from(sessions)
      .where(eq(sessions.id, id));
    // Inside a transaction the row stays locked until it ends: what the transaction decides from
    // the session (the photo limit, order_index, its status) cannot be raced by another instance.
    const rows = await (inTransaction()
      ? (query as unknown as { for(m: 'update'): typeof query }).for('update')
      : query);
    return rows[0] ? withCounts(rows[0]) : undefined;
  }
  let statement = findSessionStatements.get(db);
  if (!statement) {
    statement = prepareFindSession(db);
    findSessionStatements.set(db, statement);
  }
  const prepared = statement;
  const row = await sqliteStatement(() => prepared.get({ id }));
  return row ? withCounts(row) : undefined;
}

function sessionColumns() {
  return {
    id: sessions.id,
    type: sessions.type,
    status: sessions.status,
    createdAt: sessions.createdAt,
    updatedAt: sessions.updatedAt,
    expiresAt: sessions.expiresAt,
    telegramUserId: sessions.telegramUserId,
    telegramUsername: sessions.telegramUsername,
    data: sessions.data,
    version: sessions.version,
    eventId: sessions.eventId,
    boothId: sessions.boothId,
    maxPhotos: sessions.maxPhotos,
    readyAt: sessions.readyAt,
    layout: sessions.layout,
  };
}

/** A session as the admin list shows it: counts, whether it has data, but not the data itself. */
export type SessionSummary = Omit<SessionWithCounts, 'data'> & { hasData: boolean };

export interface SessionPageQuery {
  /** Only the sessions of this event. */
  eventId?: string;
  type?: SessionType;
  status?: SessionStatus;
  /** Only sessions after this one in the order (newest first): created earlier, or as early with a smaller id. */
  before?: { createdAt: Date; id: string };
  /** Only these sessions. */
  ids?: string[];
  limit: number;
}

/**
 * Active sessions newest first, one page: keyset paging on (created_at, id), so a page costs the
 * same however deep it is and a session created meanwhile neither shifts nor repeats a row.
 * `data` (up to 16 KiB a session) is never read here.
 */
export async function listActiveSessionSummaries(
  now: Date,
  query: SessionPageQuery,
): Promise<SessionSummary[]> {
  const db = await conn();
  const conds: SQL[] = [gt(sessions.expiresAt, now)];
  if (query.eventId) conds.push(eq(sessions.eventId, query.eventId));
  if (query.type) conds.push(eq(sessions.type, query.type));
  if (query.status) conds.push(eq(sessions.status, query.status));
  if (query.ids) conds.push(inArray(sessions.id, query.ids));
  const before = query.before;
  if (before) {
    conds.push(
      or(
        lt(sessions.createdAt, before.createdAt),
        and(eq(sessions.createdAt, before.createdAt), lt(sessions.id, before.id)),
      ) as SQL,
    );
  }
  const { data: _data, ...columns } = sessionColumns();
  return (
    await all(
      db
        .select({
          ...columns,
          photoCount: photoCountSql,
          hasResult: hasResultSql,
          pictureToken: pictureTokenSql,
          hasData: sql<number>`${sessions.data} <> '{}'`,
        })
        .from(sessions)
        .where(and(...conds))
        .orderBy(desc(sessions.createdAt), desc(sessions.id))
        .limit(query.limit),
    )
  ).map((row) => ({
    ...row,
    photoCount: Number(row.photoCount),
    hasResult: Boolean(row.hasResult),
    pictureToken: row.pictureToken ?? null,
    hasData: Boolean(row.hasData),
  }));
}

/**
 * Every change of a session goes through here: it raises the version and logs the new state.
 * Call it inside a transaction, after the other writes of the change (photo rows included).
 */
export async function writeSessionChange(id: string, patch: Partial<NewSessionRow>): Promise<void> {
  const db = await conn();
  await run(
    db
      .update(sessions)
      .set({ ...patch, version: sql`${sessions.version} + 1` })
      .where(eq(sessions.id, id)),
  );
  const now = await findSession(id);
  if (now) {
    await run(
      db
        .insert(sessionChanges)
        .values({ sessionId: id, version: now.version, snapshot: JSON.stringify(now) }),
    );
  }
}

/** The states of a session after `version`, oldest first. */
export async function changesSince(id: string, version: number): Promise<SessionWithCounts[]> {
  const db = await conn();
  return (
    await all(
      db
        .select({ snapshot: sessionChanges.snapshot })
        .from(sessionChanges)
        .where(and(eq(sessionChanges.sessionId, id), gt(sessionChanges.version, version)))
        .orderBy(asc(sessionChanges.version)),
    )
  ).map(({ snapshot }) => {
    const s = JSON.parse(snapshot) as SessionWithCounts & {
      createdAt: string;
      updatedAt: string;
      expiresAt: string;
    };
    return {
      ...s,
      createdAt: new Date(s.createdAt),
      updatedAt: new Date(s.updatedAt),
      expiresAt: new Date(s.expiresAt),
    };
  });
}

export async function deleteSessionRow(id: string): Promise<boolean> {
  const db = await conn();
  return (await run(db.delete(sessions).where(eq(sessions.id, id)))) > 0;
}

export async function expiredSessionIds(now: Date): Promise<string[]> {
  const db = await conn();
  return (await all(db.select({ id: sessions.id }).from(sessions).where(lte(sessions.expiresAt, now)))).map(
    (r) => r.id,
  );
}

export async function countPhotos(sessionId: string, photoType: PhotoType): Promise<number> {
  const db = await conn();
  return (
    (
      await get(
        db
          .select({ n: count() })
          .from(sessionPhotos)
          .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, photoType))),
      )
    )?.n ?? 0
  );
}

export async function nextOrderIndex(sessionId: string, photoType: PhotoType): Promise<number> {
  const db = await conn();
  const row = await get(
    db
      .select({ max: sql<number | null>`max(${sessionPhotos.orderIndex})` })
      .from(sessionPhotos)
      .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, photoType))),
  );
  return row?.max == null ? 0 : row.max + 1;
}

export async function insertPhoto(row: NewPhotoRow): Promise<void> {
  const db = await conn();
  await run(db.insert(sessionPhotos).values(row));
}

export async function listPhotos(sessionId: string, photoType: PhotoType | undefined): Promise<PhotoRow[]> {
  const db = await conn();
  const conds = [eq(sessionPhotos.sessionId, sessionId)];
  if (photoType) conds.push(eq(sessionPhotos.photoType, photoType));
  return await all(
    db
      .select()
      .from(sessionPhotos)
      .where(and(...conds))
      .orderBy(asc(sessionPhotos.photoType), asc(sessionPhotos.orderIndex)),
  );
}

export async function findPhoto(sessionId: string, photoId: string): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(sessionPhotos)
      .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.id, photoId))),
  );
}

export async function findResult(sessionId: string): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(sessionPhotos)
      .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, 'result')))
      .orderBy(desc(sessionPhotos.createdAt)),
  );
}

/** Deletes one photo row of a session; returns it, or undefined when there was none. */
export async function deletePhotoRow(sessionId: string, photoId: string): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(
    db
      .delete(sessionPhotos)
      .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.id, photoId)))
      .returning(),
  );
}

export async function deleteResults(sessionId: string): Promise<PhotoRow[]> {
  const db = await conn();
  return await all(
    db
      .delete(sessionPhotos)
      .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, 'result')))
      .returning(),
  );
}

export async function allStorageKeys(): Promise<Set<string>> {
  const db = await conn();
  return new Set((await all(db.select({ k: sessionPhotos.storageKey }).from(sessionPhotos))).map((r) => r.k));
}

export async function storageTotals(
  now: Date,
): Promise<{ activeSessions: number; photosStored: number; bytesStored: number }> {
  const db = await conn();
  const photos = await get(
    db
      .select({ n: count(), bytes: sum(sql`${sessionPhotos.bytes} + ${sessionPhotos.thumbBytes}`) })
      .from(sessionPhotos),
  );
  const active = await get(db.select({ n: count() }).from(sessions).where(gt(sessions.expiresAt, now)));
  return {
    activeSessions: active?.n ?? 0,
    photosStored: photos?.n ?? 0,
    bytesStored: Number(photos?.bytes ?? 0),
  };
}

export { transaction };

// ---------------------------------------------------------------------------------------------
// Telegram: deep-link tokens, linked chats, result deliveries, the inbox of updates.

export async function insertTelegramLinkIfMissing(row: NewTelegramLinkRow): Promise<void> {
  const db = await conn();
  await run(db.insert(telegramLinks).values(row).onConflictDoNothing({ target: telegramLinks.sessionId }));
}

export async function findTelegramLink(sessionId: string): Promise<TelegramLinkRow | undefined> {
  const db = await conn();
  return await get(db.select().from(telegramLinks).where(eq(telegramLinks.sessionId, sessionId)));
}

export async function findTelegramLinkByToken(startToken: string): Promise<TelegramLinkRow | undefined> {
  const db = await conn();
  return await get(db.select().from(telegramLinks).where(eq(telegramLinks.startToken, startToken)));
}

/** Links the chat to the session unless another Telegram user holds it; true when linked. */
export async function linkTelegramChat(
  sessionId: string,
  chat: { chatId: number; userId: number; languageCode: string | null; linkedAt: Date },
): Promise<boolean> {
  const db = await conn();
  return (
    (await run(
      db
        .update(telegramLinks)
        .set(chat)
        .where(
          and(
            eq(telegramLinks.sessionId, sessionId),
            or(isNull(telegramLinks.userId), eq(telegramLinks.userId, chat.userId)),
          ),
        ),
    )) > 0
  );
}

/** The session this chat linked most recently. */
export async function latestTelegramLinkForChat(chatId: number): Promise<TelegramLinkRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(telegramLinks)
      .where(eq(telegramLinks.chatId, chatId))
      .orderBy(desc(telegramLinks.linkedAt))
      .limit(1),
  );
}

/** Takes the right to send this result photo to the linked chat; false when it was taken already. */
/**
 * Records the chat's "I agree" for the session it linked: only that chat's own link, once (a
 * replayed tap keeps the first time). True when the link is that chat's.
 */
export async function recordTelegramConsent(sessionId: string, chatId: number, now: Date): Promise<boolean> {
  return transaction(async () => {
    const tx = await conn();
    const link = await get(
      tx
        .select({ chatId: telegramLinks.chatId, consentedAt: telegramLinks.consentedAt })
        .from(telegramLinks)
        .where(eq(telegramLinks.sessionId, sessionId)),
    );
    if (!link || link.chatId !== chatId) return false;
    if (!link.consentedAt)
      await run(
        tx.update(telegramLinks).set({ consentedAt: now }).where(eq(telegramLinks.sessionId, sessionId)),
      );
    return true;
  });
}

export async function claimTelegramDelivery(sessionId: string, photoId: string): Promise<boolean> {
  const db = await conn();
  return (
    (await run(
      db
        .update(telegramLinks)
        .set({ deliveredResultId: photoId })
        .where(
          and(
            eq(telegramLinks.sessionId, sessionId),
            or(isNull(telegramLinks.deliveredResultId), ne(telegramLinks.deliveredResultId, photoId)),
          ),
        ),
    )) > 0
  );
}

/** Gives a claim back (the send failed for a reason that may pass) so a later scan retries it. */
export async function releaseTelegramDelivery(
  sessionId: string,
  photoId: string,
  previous: string | null,
): Promise<void> {
  const db = await conn();
  await run(
    db
      .update(telegramLinks)
      .set({ deliveredResultId: previous })
      .where(and(eq(telegramLinks.sessionId, sessionId), eq(telegramLinks.deliveredResultId, photoId))),
  );
}

/** Live sessions with a linked chat whose current result has not been sent to it. */
export async function pendingTelegramDeliveries(now: Date): Promise<string[]> {
  const db = await conn();
  return (
    await all(
      db
        .select({ id: telegramLinks.sessionId })
        .from(telegramLinks)
        .innerJoin(sessions, eq(sessions.id, telegramLinks.sessionId))
        .innerJoin(
          sessionPhotos,
          and(eq(sessionPhotos.sessionId, telegramLinks.sessionId), eq(sessionPhotos.photoType, 'result')),
        )
        .where(
          and(
            isNotNull(telegramLinks.chatId),
            gt(sessions.expiresAt, now),
            or(
              isNull(telegramLinks.deliveredResultId),
              ne(telegramLinks.deliveredResultId, sessionPhotos.id),
            ),
          ),
        ),
    )
  ).map((r) => r.id);
}

// The inbox of updates (telegram_updates): stored before Telegram is answered, then claimed,
// processed and finished. Every claim is one conditional UPDATE: two processes never hold the same
// update.

export interface NewTelegramUpdate {
  updateId: number;
  chatId: number | null;
  /** The update's JSON; null when it was too large to keep (it is then stored as failed). */
  payload: string | null;
}

/** Stores updates not seen before (in one transaction); returns the ids that were new. */
export async function insertTelegramUpdates(updates: NewTelegramUpdate[], now: Date): Promise<number[]> {
  if (updates.length === 0) return [];
  return transaction(async () => {
    const tx = await conn();
    const added: number[] = [];
    for (const u of updates) {
      const inserted = await run(
        tx
          .insert(telegramUpdates)
          .values({
            updateId: u.updateId,
            receivedAt: now,
            chatId: u.chatId,
            payload: u.payload,
            state: u.payload === null ? 'failed' : 'pending',
            processedAt: u.payload === null ? now : null,
          })
          .onConflictDoNothing(),
      );
      if (inserted > 0) added.push(u.updateId);
    }
    return added;
  });
}

// Qualified names: inside the subquery an unqualified "chat_id" would bind to the inner row.
const noOlderOfItsChat = sql`not exists (select 1 from "telegram_updates" o where o."chat_id" = "telegram_updates"."chat_id" and o."state" = 'pending' and o."update_id" < "telegram_updates"."update_id")`;

const claimable = (now: Date) =>
  and(
    eq(telegramUpdates.state, 'pending'),
    or(isNull(telegramUpdates.claimedUntil), lte(telegramUpdates.claimedUntil, now)),
    noOlderOfItsChat,
  );

/**
 * Claims the oldest pending update that nobody holds (and whose retry time has come) for
 * `owner` until `until`, counting the attempt; an update waits while an older one of the same
 * chat is pending, so each chat is processed in order, one update at a time, by any process.
 * Undefined when there is none.
 */
export async function claimNextTelegramUpdate(
  owner: string,
  now: Date,
  until: Date,
): Promise<TelegramUpdateRow | undefined> {
  return transaction(async () => {
    const tx = await conn();
    const next = await get(
      tx
        .select({ id: telegramUpdates.updateId })
        .from(telegramUpdates)
        .where(claimable(now))
        .orderBy(asc(telegramUpdates.updateId))
        .limit(1),
    );
    if (!next) return undefined;
    return await get(
      tx
        .update(telegramUpdates)
        .set({ claimedBy: owner, claimedUntil: until, attempts: sql`${telegramUpdates.attempts} + 1` })
        .where(and(eq(telegramUpdates.updateId, next.id), claimable(now)))
        .returning(),
    );
  });
}

/** The pending update `owner` holds the claim of. */
function heldClaim(updateId: number, owner: string) {
  return and(
    eq(telegramUpdates.updateId, updateId),
    eq(telegramUpdates.claimedBy, owner),
    eq(telegramUpdates.state, 'pending'),
  );
}

/** Extends the lease of an update this owner is working on; false when the claim was lost. */
export async function renewTelegramClaim(updateId: number, owner: string, until: Date): Promise<boolean> {
  const db = await conn();
  return (
    (await run(db.update(telegramUpdates).set({ claimedUntil: until }).where(heldClaim(updateId, owner)))) > 0
  );
}

/** Ends the work on an update: done or failed (given up), its payload dropped. */
export async function finishTelegramUpdate(
  updateId: number,
  owner: string,
  state: 'done' | 'failed',
  now: Date,
): Promise<boolean> {
  const db = await conn();
  return (
    (await run(
      db
        .update(telegramUpdates)
        .set({ state, processedAt: now, payload: null, claimedBy: null, claimedUntil: null })
        .where(heldClaim(updateId, owner)),
    )) > 0
  );
}

/** Gives a claimed update back, to be tried again from `notBefore` (null: at once). */
export async function releaseTelegramUpdate(
  updateId: number,
  owner: string,
  notBefore: Date | null,
): Promise<boolean> {
  const db = await conn();
  return (
    (await run(
      db
        .update(telegramUpdates)
        .set({ claimedBy: null, claimedUntil: notBefore })
        .where(heldClaim(updateId, owner)),
    )) > 0
  );
}

/** Pending updates under a lease that has not run out: who holds each. */
export async function heldTelegramUpdates(now: Date): Promise<{ updateId: number; claimedBy: string }[]> {
  const db = await conn();
  return (await all(
    db
      .select({ updateId: telegramUpdates.updateId, claimedBy: telegramUpdates.claimedBy })
      .from(telegramUpdates)
      .where(
        and(
          eq(telegramUpdates.state, 'pending'),
          isNotNull(telegramUpdates.claimedBy),
          gt(telegramUpdates.claimedUntil, now),
        ),
      ),
  )) as { updateId: number; claimedBy: string }[];
}

/** Marks as failed the pending updates received before `before` (Telegram itself keeps them 24 h). */
export async function failStaleTelegramUpdates(before: Date, now: Date): Promise<number[]> {
  const db = await conn();
  return (
    await all(
      db
        .update(telegramUpdates)
        .set({ state: 'failed', processedAt: now, payload: null, claimedBy: null, claimedUntil: null })
        .where(and(eq(telegramUpdates.state, 'pending'), lt(telegramUpdates.receivedAt, before)))
        .returning({ id: telegramUpdates.updateId }),
    )
  ).map((r) => r.id);
}

export async function findTelegramUpdate(updateId: number): Promise<TelegramUpdateRow | undefined> {
  const db = await conn();
  return await get(db.select().from(telegramUpdates).where(eq(telegramUpdates.updateId, updateId)));
}

/** Deletes finished (done or failed) updates received before `before`; pending ones stay. */
export async function pruneTelegramUpdates(before: Date): Promise<number> {
  const db = await conn();
  return await run(
    db
      .delete(telegramUpdates)
      .where(and(lt(telegramUpdates.receivedAt, before), ne(telegramUpdates.state, 'pending'))),
  );
}

/** The photo a Telegram update brought, if it was already stored. */
export async function findPhotoByTelegramUpdate(updateId: number): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(db.select().from(sessionPhotos).where(eq(sessionPhotos.telegramUpdateId, updateId)));
}

/** When each of these sessions last changed (ms since the epoch). */
export async function sessionsUpdatedAt(ids: string[]): Promise<{ id: string; updatedAt: number }[]> {
  const db = await conn();
  if (ids.length === 0) return [];
  return (
    await all(
      db
        .select({ id: sessions.id, updatedAt: sessions.updatedAt })
        .from(sessions)
        .where(inArray(sessions.id, ids)),
    )
  ).map((r) => ({ id: r.id, updatedAt: r.updatedAt.getTime() }));
}

// ---------------------------------------------------------------------------------------------
// Logins (revocable cookies) and rate-limit counters shared by every worker process.

export async function insertAuthSession(row: NewAuthSessionRow): Promise<void> {
  const db = await conn();
  await run(db.insert(authSessions).values(row));
}

export async function findAuthSession(id: string, now: Date): Promise<AuthSessionRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(authSessions)
      .where(and(eq(authSessions.id, id), gt(authSessions.expiresAt, now))),
  );
}

export async function touchAuthSession(id: string, now: Date): Promise<void> {
  const db = await conn();
  await run(db.update(authSessions).set({ lastSeenAt: now }).where(eq(authSessions.id, id)));
}

export async function deleteAuthSession(id: string): Promise<boolean> {
  const db = await conn();
  return (await run(db.delete(authSessions).where(eq(authSessions.id, id)))) > 0;
}

export async function pruneAuthSessions(now: Date): Promise<number> {
  const db = await conn();
  return await run(db.delete(authSessions).where(lte(authSessions.expiresAt, now)));
}

/**
 * Counts one hit of `key` in its fixed window (one statement, so concurrent workers cannot both
 * read a stale count): a window that has ended starts again at 1.
 */
export async function hitRateLimit(
  key: string,
  now: Date,
  windowMs: number,
): Promise<{ count: number; resetAt: Date }> {
  const db = await conn();
  const resetAt = new Date(now.getTime() + windowMs);
  const row = await get(
    db
      .insert(rateLimits)
      .values({ key, count: 1, resetAt })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: {
          count: sql`case when ${rateLimits.resetAt} <= ${dbTime(now)} then 1 else ${rateLimits.count} + 1 end`,
          resetAt: sql`case when ${rateLimits.resetAt} <= ${dbTime(now)} then ${dbTime(resetAt)} else ${rateLimits.resetAt} end`,
        },
      })
      .returning({ count: rateLimits.count, resetAt: rateLimits.resetAt }),
  );
  return row;
}

export async function pruneRateLimits(now: Date): Promise<number> {
  const db = await conn();
  return await run(db.delete(rateLimits).where(lte(rateLimits.resetAt, now)));
}

export async function clearRateLimits(): Promise<void> {
  const db = await conn();
  await run(db.delete(rateLimits));
}

// ---------------------------------------------------------------------------------------------
// Photo slots of uploads in flight (taken before the body is read, released after the commit).

export async function insertUploadSlot(id: string, sessionId: string, expiresAt: Date): Promise<void> {
  const db = await conn();
  await run(db.insert(uploadSlots).values({ id, sessionId, expiresAt }));
}

/** Slots other uploads hold on this session now (an expired slot is a crashed upload's). */
export async function countUploadSlots(sessionId: string, now: Date, exceptId?: string): Promise<number> {
  const db = await conn();
  const conds = [eq(uploadSlots.sessionId, sessionId), gt(uploadSlots.expiresAt, now)];
  if (exceptId) conds.push(ne(uploadSlots.id, exceptId));
  return (
    (
      await get(
        db
          .select({ n: count() })
          .from(uploadSlots)
          .where(and(...conds)),
      )
    )?.n ?? 0
  );
}

export async function deleteUploadSlot(id: string): Promise<void> {
  const db = await conn();
  await run(db.delete(uploadSlots).where(eq(uploadSlots.id, id)));
}

/** Expired slots; with `all`, every slot (at start-up no upload is in flight). */
export async function pruneUploadSlots(now: Date, all = false): Promise<number> {
  const db = await conn();
  return await run(db.delete(uploadSlots).where(all ? undefined : lte(uploadSlots.expiresAt, now)));
}

// ---------------------------------------------------------------------------------------------
// Events (the rules and the wire shape are in lib/event-rules.ts).

export async function findEvent(id: string): Promise<EventRow | undefined> {
  const db = await conn();
  return await get(db.select().from(events).where(eq(events.id, id)));
}

export async function findDefaultEvent(): Promise<EventRow | undefined> {
  const db = await conn();
  return await get(db.select().from(events).where(eq(events.isDefault, true)));
}

/** The default event first, then the newest. */
export async function listEvents(): Promise<EventRow[]> {
  const db = await conn();
  return await all(
    db.select().from(events).orderBy(desc(events.isDefault), desc(events.createdAt), desc(events.id)),
  );
}

export async function insertEvent(row: NewEventRow): Promise<void> {
  const db = await conn();
  await run(db.insert(events).values(row));
}

export async function updateEventRow(id: string, patch: Partial<NewEventRow>): Promise<boolean> {
  const db = await conn();
  return (await run(db.update(events).set(patch).where(eq(events.id, id)))) > 0;
}

/** Deletes an event; its sessions (with their photo rows), booths and their logins cascade. */
export async function deleteEventRow(id: string): Promise<boolean> {
  const db = await conn();
  return (await run(db.delete(events).where(eq(events.id, id)))) > 0;
}

export async function sessionIdsOfEvent(eventId: string): Promise<string[]> {
  const db = await conn();
  return (await all(db.select({ id: sessions.id }).from(sessions).where(eq(sessions.eventId, eventId)))).map(
    (r) => r.id,
  );
}

// ---------------------------------------------------------------------------------------------
// Booths and their pairing codes (rules in lib/booths.ts).

export async function insertBooth(row: NewBoothRow): Promise<void> {
  const db = await conn();
  await run(db.insert(booths).values(row));
}

export async function findBooth(id: string): Promise<BoothRow | undefined> {
  const db = await conn();
  return await get(db.select().from(booths).where(eq(booths.id, id)));
}

export async function listBooths(filter: { eventId?: string } = {}): Promise<BoothRow[]> {
  const db = await conn();
  return await all(
    db
      .select()
      .from(booths)
      .where(filter.eventId ? eq(booths.eventId, filter.eventId) : undefined)
      .orderBy(asc(booths.createdAt), asc(booths.id)),
  );
}

export async function updateBoothRow(
  id: string,
  patch: Partial<Pick<NewBoothRow, 'name' | 'eventId' | 'lastSeenAt'>>,
): Promise<boolean> {
  const db = await conn();
  return (await run(db.update(booths).set(patch).where(eq(booths.id, id)))) > 0;
}

/** Deletes a booth; its pairing codes and logins cascade, its sessions keep going (booth_id null). */
export async function deleteBoothRow(id: string): Promise<boolean> {
  const db = await conn();
  return (await run(db.delete(booths).where(eq(booths.id, id)))) > 0;
}

export async function deleteBoothLogins(boothId: string): Promise<number> {
  const db = await conn();
  return await run(db.delete(authSessions).where(eq(authSessions.boothId, boothId)));
}

export async function insertPairing(row: typeof boothPairings.$inferInsert): Promise<void> {
  const db = await conn();
  await run(db.insert(boothPairings).values(row));
}

/** Ends every unused code of a booth (a new code replaces them). */
export async function deleteUnusedPairings(boothId: string): Promise<number> {
  const db = await conn();
  return await run(
    db.delete(boothPairings).where(and(eq(boothPairings.boothId, boothId), isNull(boothPairings.usedAt))),
  );
}

/** The live (unused, unexpired) codes with this hash: at most one, codes are unique while live. */
export async function findLivePairings(codeHash: string, now: Date): Promise<BoothPairingRow[]> {
  const db = await conn();
  return await all(
    db
      .select()
      .from(boothPairings)
      .where(
        and(
          eq(boothPairings.codeHash, codeHash),
          isNull(boothPairings.usedAt),
          gt(boothPairings.expiresAt, now),
        ),
      ),
  );
}

/** Takes a code (single use): false when another request took it first or it expired. */
export async function markPairingUsed(id: string, now: Date): Promise<boolean> {
  const db = await conn();
  return (
    (await run(
      db
        .update(boothPairings)
        .set({ usedAt: now })
        .where(and(eq(boothPairings.id, id), isNull(boothPairings.usedAt), gt(boothPairings.expiresAt, now))),
    )) > 0
  );
}

export async function prunePairings(now: Date): Promise<number> {
  const db = await conn();
  return await run(db.delete(boothPairings).where(lte(boothPairings.expiresAt, now)));
}

export interface LoginRow extends AuthSessionRow {
  /** For a paired booth's login: the booth's event now (a booth can be moved) and when it was seen. */
  boothEventId: string | null;
  boothLastSeenAt: Date | null;
}

/** A live login, with its paired booth's event (a login whose booth is gone is gone too). */
export async function findLogin(id: string, now: Date): Promise<LoginRow | undefined> {
  const db = await conn();
  const row = await get(
    db
      .select({ login: authSessions, eventId: booths.eventId, lastSeenAt: booths.lastSeenAt })
      .from(authSessions)
      .leftJoin(booths, eq(booths.id, authSessions.boothId))
      .where(and(eq(authSessions.id, id), gt(authSessions.expiresAt, now))),
  );
  if (!row) return undefined;
  return { ...row.login, boothEventId: row.eventId ?? null, boothLastSeenAt: row.lastSeenAt ?? null };
}

// ---------------------------------------------------------------------------------------------
// Pictures: finished pictures kept on a take-home link of their own (rules in lib/pictures.ts).

export async function findPictureByToken(token: string): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(db.select().from(pictures).where(eq(pictures.token, token)));
}

export async function findPictureOfSession(sessionId: string): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(db.select().from(pictures).where(eq(pictures.sessionId, sessionId)));
}

export async function insertPicture(row: NewPictureRow): Promise<void> {
  const db = await conn();
  await run(db.insert(pictures).values(row));
}

export async function updatePictureRow(id: string, patch: Partial<NewPictureRow>): Promise<void> {
  const db = await conn();
  await run(db.update(pictures).set(patch).where(eq(pictures.id, id)));
}

/** Deletes a picture (with `expiredBy`, only if it expired by then: the sweep's condition). */
export async function deletePictureRow(id: string, expiredBy?: Date): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(
    db
      .delete(pictures)
      .where(and(eq(pictures.id, id), expiredBy ? lte(pictures.expiresAt, expiredBy) : undefined))
      .returning(),
  );
}

export async function expiredPictures(now: Date): Promise<PictureRow[]> {
  const db = await conn();
  return await all(db.select().from(pictures).where(lte(pictures.expiresAt, now)));
}

export async function picturesOfEvent(eventId: string): Promise<PictureRow[]> {
  const db = await conn();
  return await all(db.select().from(pictures).where(eq(pictures.eventId, eventId)));
}

export async function allPictureStorageKeys(): Promise<Set<string>> {
  const db = await conn();
  return new Set((await all(db.select({ k: pictures.storageKey }).from(pictures))).map((r) => r.k));
}

// EVENT STATS: one row per event and UTC hour (db/schema.ts event_stats).

export type EventStatColumn = Exclude<keyof EventStatsRow, 'eventId' | 'hour'>;

/** Adds `by` to one counter of the event's hour that holds `at` (one UPSERT). */
export async function bumpEventStat(
  eventId: string,
  column: EventStatColumn,
  at: Date,
  by = 1,
): Promise<void> {
  const db = await conn();
  const hour = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
  const col = eventStats[column];
  await run(
    db
      .insert(eventStats)
      .values({ eventId, hour, [column]: by })
      .onConflictDoUpdate({
        target: [eventStats.eventId, eventStats.hour],
        set: { [column]: sql`${col} + ${by}` },
      }),
  );
}

/** The event's rows, oldest hour first. */
export async function eventStatRows(eventId: string): Promise<EventStatsRow[]> {
  const db = await conn();
  return await all(
    db.select().from(eventStats).where(eq(eventStats.eventId, eventId)).orderBy(asc(eventStats.hour)),
  );
}
// ---------------------------------------------------------------------------------------------
// The host gallery (rules in lib/gallery.ts).

export async function findEventByHostToken(token: string): Promise<EventRow | undefined> {
  const db = await conn();
  return await get(db.select().from(events).where(eq(events.hostToken, token)));
}

/** Sets the event's host token; with `onlyIfNone`, only when it has none yet (the lazy create). */
export async function setEventHostToken(id: string, token: string, onlyIfNone = false): Promise<void> {
  const db = await conn();
  await run(
    db
      .update(events)
      .set({ hostToken: token })
      .where(and(eq(events.id, id), onlyIfNone ? isNull(events.hostToken) : undefined)),
  );
}

/**
 * An event's live pictures newest first, ordered by (created_at desc, id desc), one page of the
 * gallery. `before` alone: only pictures created strictly before that instant. `before` with
 * `beforeId`: only pictures strictly after (before, beforeId) in that order (created earlier, or at
 * the same instant with a smaller id), so pictures sharing a created_at at a page edge are neither
 * skipped nor repeated.
 */
export async function eventPicturesPage(
  eventId: string,
  opts: { before?: Date; beforeId?: string; limit: number; now: Date },
): Promise<PictureRow[]> {
  const db = await conn();
  const { before, beforeId } = opts;
  let cursor: SQL | undefined;
  if (before && beforeId) {
    cursor = or(
      lt(pictures.createdAt, before),
      and(eq(pictures.createdAt, before), lt(pictures.id, beforeId)),
    );
  } else if (before) {
    cursor = lt(pictures.createdAt, before);
  }
  return await all(
    db
      .select()
      .from(pictures)
      .where(and(eq(pictures.eventId, eventId), gt(pictures.expiresAt, opts.now), cursor))
      .orderBy(desc(pictures.createdAt), desc(pictures.id))
      .limit(opts.limit),
  );
}

/** The count and total bytes of an event's live pictures (the gallery's "Download all" button). */
export async function eventPicturesTotal(
  eventId: string,
  now: Date,
): Promise<{ count: number; bytes: number }> {
  const db = await conn();
  const row = await get(
    db
      .select({ count: count(), bytes: sql<number>`coalesce(sum(${pictures.bytes}), 0)` })
      .from(pictures)
      .where(and(eq(pictures.eventId, eventId), gt(pictures.expiresAt, now))),
  );
  return { count: row?.count ?? 0, bytes: Number(row?.bytes ?? 0) };
}

/** One live picture of the event by id (a picture of another event is not found). */
export async function findEventPicture(eventId: string, id: string): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(pictures)
      .where(and(eq(pictures.eventId, eventId), eq(pictures.id, id))),
  );
}

/** A page of an event's live pictures oldest first, after the cursor (the ZIP reads in pages). */
export async function eventPicturesAfter(
  eventId: string,
  after: { createdAt: Date; id: string } | undefined,
  limit: number,
  now: Date,
): Promise<PictureRow[]> {
  const db = await conn();
  return await all(
    db
      .select()
      .from(pictures)
      .where(
        and(
          eq(pictures.eventId, eventId),
          gt(pictures.expiresAt, now),
          after
            ? or(
                gt(pictures.createdAt, after.createdAt),
                and(eq(pictures.createdAt, after.createdAt), gt(pictures.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(pictures.createdAt), asc(pictures.id))
      .limit(limit),
  );
}

/** The ids and times of an event's live pictures (the gallery stream's poll: what came, what went). */
export async function eventPictureStamps(eventId: string, now: Date): Promise<{ id: string; at: number }[]> {
  const db = await conn();
  return (
    await all(
      db
        .select({ id: pictures.id, createdAt: pictures.createdAt })
        .from(pictures)
        .where(and(eq(pictures.eventId, eventId), gt(pictures.expiresAt, now))),
    )
  ).map((r) => ({ id: r.id, at: r.createdAt.getTime() }));
}
