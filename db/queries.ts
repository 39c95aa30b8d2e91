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
  type NewPhotoRow,
  type NewSessionRow,
  type NewTelegramLinkRow,
  type PhotoRow,
  type PhotoType,
  type SessionRow,
  type SessionStatus,
  type SessionType,
  sessionChanges,
  sessionPhotos,
  sessions,
  type TelegramLinkRow,
  telegramLinks,
  telegramUpdates,
} from './schema';

/** Every SQL statement of the product, named. Callers never build SQL themselves. */

export interface SessionWithCounts extends SessionRow {
  photoCount: number;
  hasResult: boolean;
}

// Written out with qualified names: inside a correlated subquery an unqualified "id" would bind
// to session_photos.id.
const photoCountSql = sql<number>`(select count(*) from "session_photos" p where p."session_id" = "sessions"."id" and p."photo_type" = 'uploaded')`;
const hasResultSql = sql<number>`exists(select 1 from "session_photos" p where p."session_id" = "sessions"."id" and p."photo_type" = 'result')`;

function withCounts(
  row: SessionRow & { photoCount: number; hasResult: number | boolean },
): SessionWithCounts {
  return { ...row, photoCount: Number(row.photoCount), hasResult: Boolean(row.hasResult) };
}

export function insertSession(row: NewSessionRow, db: Db = getDb()): void {
  db.insert(sessions).values(row).run();
}

// The hottest query (every request and every live event reads a session): prepared once per
// connection, it costs ~6 µs instead of ~85 µs of query building (BENCHMARKS.md, B1).
const findSessionStatements = new WeakMap<Db, ReturnType<typeof prepareFindSession>>();
function prepareFindSession(db: Db) {
  return db
    .select({ ...sessionColumns(), photoCount: photoCountSql, hasResult: hasResultSql })
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
  };
}

/** A session as the admin list shows it: counts, whether it has data, but not the data itself. */
export type SessionSummary = Omit<SessionWithCounts, 'data'> & { hasData: boolean };

export interface SessionPageQuery {
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
// Telegram: deep-link tokens, linked chats, result deliveries, update de-duplication.

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

/** Records an update id; false when it was seen before (a duplicate delivery by Telegram). */
export function claimTelegramUpdate(updateId: number, now: Date, db: Db = getDb()): boolean {
  return (
    db.insert(telegramUpdates).values({ updateId, receivedAt: now }).onConflictDoNothing().run().changes > 0
  );
}

export function pruneTelegramUpdates(before: Date, db: Db = getDb()): number {
  return db.delete(telegramUpdates).where(lt(telegramUpdates.receivedAt, before)).run().changes;
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
