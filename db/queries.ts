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
import { type Db, getDb } from './index';
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

export function insertSession(row: NewSessionRow, db: Db = getDb()): void {
  db.insert(sessions).values(row).run();
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

export function findSession(id: string, db: Db = getDb()): SessionWithCounts | undefined {
  let statement = findSessionStatements.get(db);
  if (!statement) {
    statement = prepareFindSession(db);
    findSessionStatements.set(db, statement);
  }
  const row = statement.get({ id });
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
export function listActiveSessionSummaries(
  now: Date,
  query: SessionPageQuery,
  db: Db = getDb(),
): SessionSummary[] {
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
  return db
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
    .limit(query.limit)
    .all()
    .map((row) => ({
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
export function writeSessionChange(id: string, patch: Partial<NewSessionRow>, db: Db = getDb()): void {
  db.update(sessions)
    .set({ ...patch, version: sql`${sessions.version} + 1` })
    .where(eq(sessions.id, id))
    .run();
  const now = findSession(id, db);
  if (now) {
    db.insert(sessionChanges)
      .values({ sessionId: id, version: now.version, snapshot: JSON.stringify(now) })
      .run();
  }
}

/** The states of a session after `version`, oldest first. */
export function changesSince(id: string, version: number, db: Db = getDb()): SessionWithCounts[] {
  return db
    .select({ snapshot: sessionChanges.snapshot })
    .from(sessionChanges)
    .where(and(eq(sessionChanges.sessionId, id), gt(sessionChanges.version, version)))
    .orderBy(asc(sessionChanges.version))
    .all()
    .map(({ snapshot }) => {
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

export function deleteSessionRow(id: string, db: Db = getDb()): boolean {
  return db.delete(sessions).where(eq(sessions.id, id)).run().changes > 0;
}

export function expiredSessionIds(now: Date, db: Db = getDb()): string[] {
  return db
    .select({ id: sessions.id })
    .from(sessions)
    .where(lte(sessions.expiresAt, now))
    .all()
    .map((r) => r.id);
}

export function countPhotos(sessionId: string, photoType: PhotoType, db: Db = getDb()): number {
  return (
    db
      .select({ n: count() })
      .from(sessionPhotos)
      .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, photoType)))
      .get()?.n ?? 0
  );
}

export function nextOrderIndex(sessionId: string, photoType: PhotoType, db: Db = getDb()): number {
  const row = db
    .select({ max: sql<number | null>`max(${sessionPhotos.orderIndex})` })
    .from(sessionPhotos)
    .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, photoType)))
    .get();
  return row?.max == null ? 0 : row.max + 1;
}

export function insertPhoto(row: NewPhotoRow, db: Db = getDb()): void {
  db.insert(sessionPhotos).values(row).run();
}

export function listPhotos(
  sessionId: string,
  photoType: PhotoType | undefined,
  db: Db = getDb(),
): PhotoRow[] {
  const conds = [eq(sessionPhotos.sessionId, sessionId)];
  if (photoType) conds.push(eq(sessionPhotos.photoType, photoType));
  return db
    .select()
    .from(sessionPhotos)
    .where(and(...conds))
    .orderBy(asc(sessionPhotos.photoType), asc(sessionPhotos.orderIndex))
    .all();
}

export function findPhoto(sessionId: string, photoId: string, db: Db = getDb()): PhotoRow | undefined {
  return db
    .select()
    .from(sessionPhotos)
    .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.id, photoId)))
    .get();
}

export function findResult(sessionId: string, db: Db = getDb()): PhotoRow | undefined {
  return db
    .select()
    .from(sessionPhotos)
    .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, 'result')))
    .orderBy(desc(sessionPhotos.createdAt))
    .get();
}

/** Deletes one photo row of a session; returns it, or undefined when there was none. */
export function deletePhotoRow(sessionId: string, photoId: string, db: Db = getDb()): PhotoRow | undefined {
  return db
    .delete(sessionPhotos)
    .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.id, photoId)))
    .returning()
    .get();
}

export function deleteResults(sessionId: string, db: Db = getDb()): PhotoRow[] {
  return db
    .delete(sessionPhotos)
    .where(and(eq(sessionPhotos.sessionId, sessionId), eq(sessionPhotos.photoType, 'result')))
    .returning()
    .all();
}

export function allStorageKeys(db: Db = getDb()): Set<string> {
  return new Set(
    db
      .select({ k: sessionPhotos.storageKey })
      .from(sessionPhotos)
      .all()
      .map((r) => r.k),
  );
}

export function storageTotals(now: Date, db: Db = getDb()) {
  const photos = db
    .select({ n: count(), bytes: sum(sql`${sessionPhotos.bytes} + ${sessionPhotos.thumbBytes}`) })
    .from(sessionPhotos)
    .get();
  const active = db.select({ n: count() }).from(sessions).where(gt(sessions.expiresAt, now)).get();
  return {
    activeSessions: active?.n ?? 0,
    photosStored: photos?.n ?? 0,
    bytesStored: Number(photos?.bytes ?? 0),
  };
}

/** Runs fn in one synchronous transaction (better-sqlite3: never await inside). */
export function transaction<T>(fn: (db: Db) => T, db: Db = getDb()): T {
  return db.transaction((tx) => fn(tx as unknown as Db), { behavior: 'immediate' });
}

// ---------------------------------------------------------------------------------------------
// Telegram: deep-link tokens, linked chats, result deliveries, the inbox of updates.

export function insertTelegramLinkIfMissing(row: NewTelegramLinkRow, db: Db = getDb()): void {
  db.insert(telegramLinks).values(row).onConflictDoNothing({ target: telegramLinks.sessionId }).run();
}

export function findTelegramLink(sessionId: string, db: Db = getDb()): TelegramLinkRow | undefined {
  return db.select().from(telegramLinks).where(eq(telegramLinks.sessionId, sessionId)).get();
}

export function findTelegramLinkByToken(startToken: string, db: Db = getDb()): TelegramLinkRow | undefined {
  return db.select().from(telegramLinks).where(eq(telegramLinks.startToken, startToken)).get();
}

/** Links the chat to the session unless another Telegram user holds it; true when linked. */
export function linkTelegramChat(
  sessionId: string,
  chat: { chatId: number; userId: number; languageCode: string | null; linkedAt: Date },
  db: Db = getDb(),
): boolean {
  return (
    db
      .update(telegramLinks)
      .set(chat)
      .where(
        and(
          eq(telegramLinks.sessionId, sessionId),
          or(isNull(telegramLinks.userId), eq(telegramLinks.userId, chat.userId)),
        ),
      )
      .run().changes > 0
  );
}

/** The session this chat linked most recently. */
export function latestTelegramLinkForChat(chatId: number, db: Db = getDb()): TelegramLinkRow | undefined {
  return db
    .select()
    .from(telegramLinks)
    .where(eq(telegramLinks.chatId, chatId))
    .orderBy(desc(telegramLinks.linkedAt))
    .limit(1)
    .get();
}

/** Takes the right to send this result photo to the linked chat; false when it was taken already. */
/**
 * Records the chat's "I agree" for the session it linked: only that chat's own link, once (a
 * replayed tap keeps the first time). True when the link is that chat's.
 */
export function recordTelegramConsent(sessionId: string, chatId: number, now: Date): boolean {
  const db = getDb();
  return db.transaction((tx) => {
    const link = tx
      .select({ chatId: telegramLinks.chatId, consentedAt: telegramLinks.consentedAt })
      .from(telegramLinks)
      .where(eq(telegramLinks.sessionId, sessionId))
      .get();
    if (!link || link.chatId !== chatId) return false;
    if (!link.consentedAt)
      tx.update(telegramLinks).set({ consentedAt: now }).where(eq(telegramLinks.sessionId, sessionId)).run();
    return true;
  });
}

export function claimTelegramDelivery(sessionId: string, photoId: string, db: Db = getDb()): boolean {
  return (
    db
      .update(telegramLinks)
      .set({ deliveredResultId: photoId })
      .where(
        and(
          eq(telegramLinks.sessionId, sessionId),
          or(isNull(telegramLinks.deliveredResultId), ne(telegramLinks.deliveredResultId, photoId)),
        ),
      )
      .run().changes > 0
  );
}

/** Gives a claim back (the send failed for a reason that may pass) so a later scan retries it. */
export function releaseTelegramDelivery(
  sessionId: string,
  photoId: string,
  previous: string | null,
  db: Db = getDb(),
): void {
  db.update(telegramLinks)
    .set({ deliveredResultId: previous })
    .where(and(eq(telegramLinks.sessionId, sessionId), eq(telegramLinks.deliveredResultId, photoId)))
    .run();
}

/** Live sessions with a linked chat whose current result has not been sent to it. */
export function pendingTelegramDeliveries(now: Date, db: Db = getDb()): string[] {
  return db
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
        or(isNull(telegramLinks.deliveredResultId), ne(telegramLinks.deliveredResultId, sessionPhotos.id)),
      ),
    )
    .all()
    .map((r) => r.id);
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
export function insertTelegramUpdates(updates: NewTelegramUpdate[], now: Date, db: Db = getDb()): number[] {
  if (updates.length === 0) return [];
  return transaction((tx) => {
    const added: number[] = [];
    for (const u of updates) {
      const inserted = tx
        .insert(telegramUpdates)
        .values({
          updateId: u.updateId,
          receivedAt: now,
          chatId: u.chatId,
          payload: u.payload,
          state: u.payload === null ? 'failed' : 'pending',
          processedAt: u.payload === null ? now : null,
        })
        .onConflictDoNothing()
        .run().changes;
      if (inserted > 0) added.push(u.updateId);
    }
    return added;
  }, db);
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
export function claimNextTelegramUpdate(
  owner: string,
  now: Date,
  until: Date,
  db: Db = getDb(),
): TelegramUpdateRow | undefined {
  return transaction((tx) => {
    const next = tx
      .select({ id: telegramUpdates.updateId })
      .from(telegramUpdates)
      .where(claimable(now))
      .orderBy(asc(telegramUpdates.updateId))
      .limit(1)
      .get();
    if (!next) return undefined;
    return tx
      .update(telegramUpdates)
      .set({ claimedBy: owner, claimedUntil: until, attempts: sql`${telegramUpdates.attempts} + 1` })
      .where(and(eq(telegramUpdates.updateId, next.id), claimable(now)))
      .returning()
      .get();
  }, db);
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
export function renewTelegramClaim(updateId: number, owner: string, until: Date, db: Db = getDb()): boolean {
  return (
    db.update(telegramUpdates).set({ claimedUntil: until }).where(heldClaim(updateId, owner)).run().changes >
    0
  );
}

/** Ends the work on an update: done or failed (given up), its payload dropped. */
export function finishTelegramUpdate(
  updateId: number,
  owner: string,
  state: 'done' | 'failed',
  now: Date,
  db: Db = getDb(),
): boolean {
  return (
    db
      .update(telegramUpdates)
      .set({ state, processedAt: now, payload: null, claimedBy: null, claimedUntil: null })
      .where(heldClaim(updateId, owner))
      .run().changes > 0
  );
}

/** Gives a claimed update back, to be tried again from `notBefore` (null: at once). */
export function releaseTelegramUpdate(
  updateId: number,
  owner: string,
  notBefore: Date | null,
  db: Db = getDb(),
): boolean {
  return (
    db
      .update(telegramUpdates)
      .set({ claimedBy: null, claimedUntil: notBefore })
      .where(heldClaim(updateId, owner))
      .run().changes > 0
  );
}

/** Pending updates under a lease that has not run out: who holds each. */
export function heldTelegramUpdates(now: Date, db: Db = getDb()): { updateId: number; claimedBy: string }[] {
  return db
    .select({ updateId: telegramUpdates.updateId, claimedBy: telegramUpdates.claimedBy })
    .from(telegramUpdates)
    .where(
      and(
        eq(telegramUpdates.state, 'pending'),
        isNotNull(telegramUpdates.claimedBy),
        gt(telegramUpdates.claimedUntil, now),
      ),
    )
    .all() as { updateId: number; claimedBy: string }[];
}

/** Marks as failed the pending updates received before `before` (Telegram itself keeps them 24 h). */
export function failStaleTelegramUpdates(before: Date, now: Date, db: Db = getDb()): number[] {
  return db
    .update(telegramUpdates)
    .set({ state: 'failed', processedAt: now, payload: null, claimedBy: null, claimedUntil: null })
    .where(and(eq(telegramUpdates.state, 'pending'), lt(telegramUpdates.receivedAt, before)))
    .returning({ id: telegramUpdates.updateId })
    .all()
    .map((r) => r.id);
}

export function findTelegramUpdate(updateId: number, db: Db = getDb()): TelegramUpdateRow | undefined {
  return db.select().from(telegramUpdates).where(eq(telegramUpdates.updateId, updateId)).get();
}

/** Deletes finished (done or failed) updates received before `before`; pending ones stay. */
export function pruneTelegramUpdates(before: Date, db: Db = getDb()): number {
  return db
    .delete(telegramUpdates)
    .where(and(lt(telegramUpdates.receivedAt, before), ne(telegramUpdates.state, 'pending')))
    .run().changes;
}

/** The photo a Telegram update brought, if it was already stored. */
export function findPhotoByTelegramUpdate(updateId: number, db: Db = getDb()): PhotoRow | undefined {
  return db.select().from(sessionPhotos).where(eq(sessionPhotos.telegramUpdateId, updateId)).get();
}

/** When each of these sessions last changed (ms since the epoch). */
export function sessionsUpdatedAt(ids: string[], db: Db = getDb()): { id: string; updatedAt: number }[] {
  if (ids.length === 0) return [];
  return db
    .select({ id: sessions.id, updatedAt: sessions.updatedAt })
    .from(sessions)
    .where(inArray(sessions.id, ids))
    .all()
    .map((r) => ({ id: r.id, updatedAt: r.updatedAt.getTime() }));
}

// ---------------------------------------------------------------------------------------------
// Logins (revocable cookies) and rate-limit counters shared by every worker process.

export function insertAuthSession(row: NewAuthSessionRow, db: Db = getDb()): void {
  db.insert(authSessions).values(row).run();
}

export function findAuthSession(id: string, now: Date, db: Db = getDb()): AuthSessionRow | undefined {
  return db
    .select()
    .from(authSessions)
    .where(and(eq(authSessions.id, id), gt(authSessions.expiresAt, now)))
    .get();
}

export function touchAuthSession(id: string, now: Date, db: Db = getDb()): void {
  db.update(authSessions).set({ lastSeenAt: now }).where(eq(authSessions.id, id)).run();
}

export function deleteAuthSession(id: string, db: Db = getDb()): boolean {
  return db.delete(authSessions).where(eq(authSessions.id, id)).run().changes > 0;
}

export function pruneAuthSessions(now: Date, db: Db = getDb()): number {
  return db.delete(authSessions).where(lte(authSessions.expiresAt, now)).run().changes;
}

/**
 * Counts one hit of `key` in its fixed window (one statement, so concurrent workers cannot both
 * read a stale count): a window that has ended starts again at 1.
 */
export function hitRateLimit(
  key: string,
  now: Date,
  windowMs: number,
  db: Db = getDb(),
): { count: number; resetAt: Date } {
  const resetAt = new Date(now.getTime() + windowMs);
  const row = db
    .insert(rateLimits)
    .values({ key, count: 1, resetAt })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.resetAt} <= ${now.getTime()} then 1 else ${rateLimits.count} + 1 end`,
        resetAt: sql`case when ${rateLimits.resetAt} <= ${now.getTime()} then ${resetAt.getTime()} else ${rateLimits.resetAt} end`,
      },
    })
    .returning({ count: rateLimits.count, resetAt: rateLimits.resetAt })
    .get();
  return row;
}

export function pruneRateLimits(now: Date, db: Db = getDb()): number {
  return db.delete(rateLimits).where(lte(rateLimits.resetAt, now)).run().changes;
}

export function clearRateLimits(db: Db = getDb()): void {
  db.delete(rateLimits).run();
}

// ---------------------------------------------------------------------------------------------
// Photo slots of uploads in flight (taken before the body is read, released after the commit).

export function insertUploadSlot(id: string, sessionId: string, expiresAt: Date, db: Db = getDb()): void {
  db.insert(uploadSlots).values({ id, sessionId, expiresAt }).run();
}

/** Slots other uploads hold on this session now (an expired slot is a crashed upload's). */
export function countUploadSlots(sessionId: string, now: Date, exceptId?: string, db: Db = getDb()): number {
  const conds = [eq(uploadSlots.sessionId, sessionId), gt(uploadSlots.expiresAt, now)];
  if (exceptId) conds.push(ne(uploadSlots.id, exceptId));
  return (
    db
      .select({ n: count() })
      .from(uploadSlots)
      .where(and(...conds))
      .get()?.n ?? 0
  );
}

export function deleteUploadSlot(id: string, db: Db = getDb()): void {
  db.delete(uploadSlots).where(eq(uploadSlots.id, id)).run();
}

/** Expired slots; with `all`, every slot (at start-up no upload is in flight). */
export function pruneUploadSlots(now: Date, all = false, db: Db = getDb()): number {
  return db
    .delete(uploadSlots)
    .where(all ? undefined : lte(uploadSlots.expiresAt, now))
    .run().changes;
}

// ---------------------------------------------------------------------------------------------
// Events (the rules and the wire shape are in lib/event-rules.ts).

export function findEvent(id: string, db: Db = getDb()): EventRow | undefined {
  return db.select().from(events).where(eq(events.id, id)).get();
}

export function findDefaultEvent(db: Db = getDb()): EventRow | undefined {
  return db.select().from(events).where(eq(events.isDefault, true)).get();
}

/** The default event first, then the newest. */
export function listEvents(db: Db = getDb()): EventRow[] {
  return db
    .select()
    .from(events)
    .orderBy(desc(events.isDefault), desc(events.createdAt), desc(events.id))
    .all();
}

export function insertEvent(row: NewEventRow, db: Db = getDb()): void {
  db.insert(events).values(row).run();
}

export function updateEventRow(id: string, patch: Partial<NewEventRow>, db: Db = getDb()): boolean {
  return db.update(events).set(patch).where(eq(events.id, id)).run().changes > 0;
}

/** Deletes an event; its sessions (with their photo rows), booths and their logins cascade. */
export function deleteEventRow(id: string, db: Db = getDb()): boolean {
  return db.delete(events).where(eq(events.id, id)).run().changes > 0;
}

export function sessionIdsOfEvent(eventId: string, db: Db = getDb()): string[] {
  return db
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.eventId, eventId))
    .all()
    .map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// Booths and their pairing codes (rules in lib/booths.ts).

export function insertBooth(row: NewBoothRow, db: Db = getDb()): void {
  db.insert(booths).values(row).run();
}

export function findBooth(id: string, db: Db = getDb()): BoothRow | undefined {
  return db.select().from(booths).where(eq(booths.id, id)).get();
}

export function listBooths(filter: { eventId?: string } = {}, db: Db = getDb()): BoothRow[] {
  return db
    .select()
    .from(booths)
    .where(filter.eventId ? eq(booths.eventId, filter.eventId) : undefined)
    .orderBy(asc(booths.createdAt), asc(booths.id))
    .all();
}

export function updateBoothRow(
  id: string,
  patch: Partial<Pick<NewBoothRow, 'name' | 'eventId' | 'lastSeenAt'>>,
  db: Db = getDb(),
): boolean {
  return db.update(booths).set(patch).where(eq(booths.id, id)).run().changes > 0;
}

/** Deletes a booth; its pairing codes and logins cascade, its sessions keep going (booth_id null). */
export function deleteBoothRow(id: string, db: Db = getDb()): boolean {
  return db.delete(booths).where(eq(booths.id, id)).run().changes > 0;
}

export function deleteBoothLogins(boothId: string, db: Db = getDb()): number {
  return db.delete(authSessions).where(eq(authSessions.boothId, boothId)).run().changes;
}

export function insertPairing(row: typeof boothPairings.$inferInsert, db: Db = getDb()): void {
  db.insert(boothPairings).values(row).run();
}

/** Ends every unused code of a booth (a new code replaces them). */
export function deleteUnusedPairings(boothId: string, db: Db = getDb()): number {
  return db
    .delete(boothPairings)
    .where(and(eq(boothPairings.boothId, boothId), isNull(boothPairings.usedAt)))
    .run().changes;
}

/** The live (unused, unexpired) codes with this hash: at most one, codes are unique while live. */
export function findLivePairings(codeHash: string, now: Date, db: Db = getDb()): BoothPairingRow[] {
  return db
    .select()
    .from(boothPairings)
    .where(
      and(
        eq(boothPairings.codeHash, codeHash),
        isNull(boothPairings.usedAt),
        gt(boothPairings.expiresAt, now),
      ),
    )
    .all();
}

/** Takes a code (single use): false when another request took it first or it expired. */
export function markPairingUsed(id: string, now: Date, db: Db = getDb()): boolean {
  return (
    db
      .update(boothPairings)
      .set({ usedAt: now })
      .where(and(eq(boothPairings.id, id), isNull(boothPairings.usedAt), gt(boothPairings.expiresAt, now)))
      .run().changes > 0
  );
}

export function prunePairings(now: Date, db: Db = getDb()): number {
  return db.delete(boothPairings).where(lte(boothPairings.expiresAt, now)).run().changes;
}

export interface LoginRow extends AuthSessionRow {
  /** For a paired booth's login: the booth's event now (a booth can be moved) and when it was seen. */
  boothEventId: string | null;
  boothLastSeenAt: Date | null;
}

/** A live login, with its paired booth's event (a login whose booth is gone is gone too). */
export function findLogin(id: string, now: Date, db: Db = getDb()): LoginRow | undefined {
  const row = db
    .select({ login: authSessions, eventId: booths.eventId, lastSeenAt: booths.lastSeenAt })
    .from(authSessions)
    .leftJoin(booths, eq(booths.id, authSessions.boothId))
    .where(and(eq(authSessions.id, id), gt(authSessions.expiresAt, now)))
    .get();
  if (!row) return undefined;
  return { ...row.login, boothEventId: row.eventId ?? null, boothLastSeenAt: row.lastSeenAt ?? null };
}

// ---------------------------------------------------------------------------------------------
// Pictures: finished pictures kept on a take-home link of their own (rules in lib/pictures.ts).

export function findPictureByToken(token: string, db: Db = getDb()): PictureRow | undefined {
  return db.select().from(pictures).where(eq(pictures.token, token)).get();
}

export function findPictureOfSession(sessionId: string, db: Db = getDb()): PictureRow | undefined {
  return db.select().from(pictures).where(eq(pictures.sessionId, sessionId)).get();
}

export function insertPicture(row: NewPictureRow, db: Db = getDb()): void {
  db.insert(pictures).values(row).run();
}

export function updatePictureRow(id: string, patch: Partial<NewPictureRow>, db: Db = getDb()): void {
  db.update(pictures).set(patch).where(eq(pictures.id, id)).run();
}

/** Deletes a picture (with `expiredBy`, only if it expired by then: the sweep's condition). */
export function deletePictureRow(id: string, expiredBy?: Date, db: Db = getDb()): PictureRow | undefined {
  return db
    .delete(pictures)
    .where(and(eq(pictures.id, id), expiredBy ? lte(pictures.expiresAt, expiredBy) : undefined))
    .returning()
    .get();
}

export function expiredPictures(now: Date, db: Db = getDb()): PictureRow[] {
  return db.select().from(pictures).where(lte(pictures.expiresAt, now)).all();
}

export function picturesOfEvent(eventId: string, db: Db = getDb()): PictureRow[] {
  return db.select().from(pictures).where(eq(pictures.eventId, eventId)).all();
}

export function allPictureStorageKeys(db: Db = getDb()): Set<string> {
  return new Set(
    db
      .select({ k: pictures.storageKey })
      .from(pictures)
      .all()
      .map((r) => r.k),
  );
}

// EVENT STATS: one row per event and UTC hour (db/schema.ts event_stats).

export type EventStatColumn = Exclude<keyof EventStatsRow, 'eventId' | 'hour'>;

/** Adds `by` to one counter of the event's hour that holds `at` (one UPSERT). */
export function bumpEventStat(
  eventId: string,
  column: EventStatColumn,
  at: Date,
  by = 1,
  db: Db = getDb(),
): void {
  const hour = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
  const col = eventStats[column];
  db.insert(eventStats)
    .values({ eventId, hour, [column]: by })
    .onConflictDoUpdate({
      target: [eventStats.eventId, eventStats.hour],
      set: { [column]: sql`${col} + ${by}` },
    })
    .run();
}

/** The event's rows, oldest hour first. */
export function eventStatRows(eventId: string, db: Db = getDb()): EventStatsRow[] {
  return db
    .select()
    .from(eventStats)
    .where(eq(eventStats.eventId, eventId))
    .orderBy(asc(eventStats.hour))
    .all();
}
// ---------------------------------------------------------------------------------------------
// The host gallery (rules in lib/gallery.ts).

export function findEventByHostToken(token: string, db: Db = getDb()): EventRow | undefined {
  return db.select().from(events).where(eq(events.hostToken, token)).get();
}

/** Sets the event's host token; with `onlyIfNone`, only when it has none yet (the lazy create). */
export function setEventHostToken(id: string, token: string, onlyIfNone = false, db: Db = getDb()): void {
  db.update(events)
    .set({ hostToken: token })
    .where(and(eq(events.id, id), onlyIfNone ? isNull(events.hostToken) : undefined))
    .run();
}

/**
 * An event's live pictures newest first, ordered by (created_at desc, id desc), one page of the
 * gallery. `before` alone: only pictures created strictly before that instant. `before` with
 * `beforeId`: only pictures strictly after (before, beforeId) in that order (created earlier, or at
 * the same instant with a smaller id), so pictures sharing a created_at at a page edge are neither
 * skipped nor repeated.
 */
export function eventPicturesPage(
  eventId: string,
  opts: { before?: Date; beforeId?: string; limit: number; now: Date },
  db: Db = getDb(),
): PictureRow[] {
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
  return db
    .select()
    .from(pictures)
    .where(and(eq(pictures.eventId, eventId), gt(pictures.expiresAt, opts.now), cursor))
    .orderBy(desc(pictures.createdAt), desc(pictures.id))
    .limit(opts.limit)
    .all();
}

/** The count and total bytes of an event's live pictures (the gallery's "Download all" button). */
export function eventPicturesTotal(
  eventId: string,
  now: Date,
  db: Db = getDb(),
): { count: number; bytes: number } {
  const row = db
    .select({ count: count(), bytes: sql<number>`coalesce(sum(${pictures.bytes}), 0)` })
    .from(pictures)
    .where(and(eq(pictures.eventId, eventId), gt(pictures.expiresAt, now)))
    .get();
  return { count: row?.count ?? 0, bytes: Number(row?.bytes ?? 0) };
}

/** One live picture of the event by id (a picture of another event is not found). */
export function findEventPicture(eventId: string, id: string, db: Db = getDb()): PictureRow | undefined {
  return db
    .select()
    .from(pictures)
    .where(and(eq(pictures.eventId, eventId), eq(pictures.id, id)))
    .get();
}

/** A page of an event's live pictures oldest first, after the cursor (the ZIP reads in pages). */
export function eventPicturesAfter(
  eventId: string,
  after: { createdAt: Date; id: string } | undefined,
  limit: number,
  now: Date,
  db: Db = getDb(),
): PictureRow[] {
  return db
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
    .limit(limit)
    .all();
}

/** The ids and times of an event's live pictures (the gallery stream's poll: what came, what went). */
export function eventPictureStamps(
  eventId: string,
  now: Date,
  db: Db = getDb(),
): { id: string; at: number }[] {
  return db
    .select({ id: pictures.id, createdAt: pictures.createdAt })
    .from(pictures)
    .where(and(eq(pictures.eventId, eventId), gt(pictures.expiresAt, now)))
    .all()
    .map((r) => ({ id: r.id, at: r.createdAt.getTime() }));
}
