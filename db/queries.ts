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
  t,
  transaction,
} from './connection';
import type { Db } from './index';
import type {
  AuthSessionRow,
  BoothPairingRow,
  BoothRow,
  EventRow,
  EventStatsRow,
  NewAuthSessionRow,
  NewBoothRow,
  NewEventRow,
  NewPhotoRow,
  NewPictureRow,
  NewSessionRow,
  NewTelegramLinkRow,
  PhotoRow,
  PhotoType,
  PictureRow,
  SessionRow,
  SessionStatus,
  SessionType,
  TelegramLinkRow,
  TelegramUpdateRow,
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
  await run(db.insert(t.sessions).values(row));
}

// The hottest query (every request and every live event reads a session): prepared once per
// handle, it costs ~6 µs instead of ~85 µs of query building on SQLite (BENCHMARKS.md, B1); on
// PostgreSQL ~50 µs of this process's CPU instead of ~220 µs, and the server parses and plans it
// once per connection (a named statement: postgres.js prepares it on each connection it runs on).
const findSessionStatements = new WeakMap<Db, ReturnType<typeof prepareFindSession>>();
function prepareFindSession(db: Db) {
  const query = db
    .select({
      ...sessionColumns(),
      photoCount: photoCountSql,
      hasResult: hasResultSql,
      pictureToken: pictureTokenSql,
    })
    .from(t.sessions)
    .where(eq(t.sessions.id, sql.placeholder('id')));
  // PostgreSQL's builder takes a statement name (the handle is typed as SQLite's; db/connection.ts).
  return (query as unknown as { prepare(name?: string): ReturnType<typeof query.prepare> }).prepare(
    dialect() === 'pg' ? 'find_session' : undefined,
  );
}

type FoundSessionRow = NonNullable<Awaited<ReturnType<ReturnType<typeof prepareFindSession>['get']>>>;

export async function findSession(id: string): Promise<SessionWithCounts | undefined> {
  const db = await conn();
  let statement = findSessionStatements.get(db);
  if (!statement) {
    statement = prepareFindSession(db);
    findSessionStatements.set(db, statement);
  }
  const prepared = statement;
  if (dialect() === 'pg') {
    if (inTransaction()) {
      // Inside a transaction the row is locked first, until the transaction ends: what it decides
      // from the session (the photo limit, order_index, its status) cannot be raced by another
      // instance. Then read in a statement of its own: under READ COMMITTED a statement that had
      // to wait for the lock would still count the photos and slots as they were before the wait.
      const lock = db.select({ id: t.sessions.id }).from(t.sessions).where(eq(t.sessions.id, id));
      await (lock as unknown as { for(m: 'update'): typeof lock }).for('update');
    }
    // PostgreSQL's prepared query answers rows (SQLite's, typed here, has get()).
    const pgPrepared = prepared as unknown as { execute(p: { id: string }): Promise<FoundSessionRow[]> };
    const rows = await pgPrepared.execute({ id });
    return rows[0] ? withCounts(rows[0]) : undefined;
  }
  const row = await sqliteStatement(() => prepared.get({ id }));
  return row ? withCounts(row) : undefined;
}

function sessionColumns() {
  return {
    id: t.sessions.id,
    type: t.sessions.type,
    status: t.sessions.status,
    createdAt: t.sessions.createdAt,
    updatedAt: t.sessions.updatedAt,
    expiresAt: t.sessions.expiresAt,
    telegramUserId: t.sessions.telegramUserId,
    telegramUsername: t.sessions.telegramUsername,
    data: t.sessions.data,
    version: t.sessions.version,
    eventId: t.sessions.eventId,
    boothId: t.sessions.boothId,
    maxPhotos: t.sessions.maxPhotos,
    readyAt: t.sessions.readyAt,
    layout: t.sessions.layout,
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
  const conds: SQL[] = [gt(t.sessions.expiresAt, now)];
  if (query.eventId) conds.push(eq(t.sessions.eventId, query.eventId));
  if (query.type) conds.push(eq(t.sessions.type, query.type));
  if (query.status) conds.push(eq(t.sessions.status, query.status));
  if (query.ids) conds.push(inArray(t.sessions.id, query.ids));
  const before = query.before;
  if (before) {
    conds.push(
      or(
        lt(t.sessions.createdAt, before.createdAt),
        and(eq(t.sessions.createdAt, before.createdAt), lt(t.sessions.id, before.id)),
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
          hasData: sql<number>`${t.sessions.data} <> '{}'`,
        })
        .from(t.sessions)
        .where(and(...conds))
        .orderBy(desc(t.sessions.createdAt), desc(t.sessions.id))
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
      .update(t.sessions)
      .set({ ...patch, version: sql`${t.sessions.version} + 1` })
      .where(eq(t.sessions.id, id)),
  );
  const now = await findSession(id);
  if (now) {
    await run(
      db
        .insert(t.sessionChanges)
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
        .select({ snapshot: t.sessionChanges.snapshot })
        .from(t.sessionChanges)
        .where(and(eq(t.sessionChanges.sessionId, id), gt(t.sessionChanges.version, version)))
        .orderBy(asc(t.sessionChanges.version)),
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
  return (await run(db.delete(t.sessions).where(eq(t.sessions.id, id)))) > 0;
}

export async function expiredSessionIds(now: Date): Promise<string[]> {
  const db = await conn();
  return (
    await all(db.select({ id: t.sessions.id }).from(t.sessions).where(lte(t.sessions.expiresAt, now)))
  ).map((r) => r.id);
}

export async function countPhotos(sessionId: string, photoType: PhotoType): Promise<number> {
  const db = await conn();
  return (
    (
      await get(
        db
          .select({ n: count() })
          .from(t.sessionPhotos)
          .where(and(eq(t.sessionPhotos.sessionId, sessionId), eq(t.sessionPhotos.photoType, photoType))),
      )
    )?.n ?? 0
  );
}

export async function nextOrderIndex(sessionId: string, photoType: PhotoType): Promise<number> {
  const db = await conn();
  const row = await get(
    db
      .select({ max: sql<number | null>`max(${t.sessionPhotos.orderIndex})` })
      .from(t.sessionPhotos)
      .where(and(eq(t.sessionPhotos.sessionId, sessionId), eq(t.sessionPhotos.photoType, photoType))),
  );
  return row?.max == null ? 0 : row.max + 1;
}

export async function insertPhoto(row: NewPhotoRow): Promise<void> {
  const db = await conn();
  await run(db.insert(t.sessionPhotos).values(row));
}

export async function listPhotos(sessionId: string, photoType: PhotoType | undefined): Promise<PhotoRow[]> {
  const db = await conn();
  const conds = [eq(t.sessionPhotos.sessionId, sessionId)];
  if (photoType) conds.push(eq(t.sessionPhotos.photoType, photoType));
  return await all(
    db
      .select()
      .from(t.sessionPhotos)
      .where(and(...conds))
      .orderBy(asc(t.sessionPhotos.photoType), asc(t.sessionPhotos.orderIndex)),
  );
}

export async function findPhoto(sessionId: string, photoId: string): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(t.sessionPhotos)
      .where(and(eq(t.sessionPhotos.sessionId, sessionId), eq(t.sessionPhotos.id, photoId))),
  );
}

export async function findResult(sessionId: string): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(t.sessionPhotos)
      .where(and(eq(t.sessionPhotos.sessionId, sessionId), eq(t.sessionPhotos.photoType, 'result')))
      .orderBy(desc(t.sessionPhotos.createdAt)),
  );
}

/** Deletes one photo row of a session; returns it, or undefined when there was none. */
export async function deletePhotoRow(sessionId: string, photoId: string): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(
    db
      .delete(t.sessionPhotos)
      .where(and(eq(t.sessionPhotos.sessionId, sessionId), eq(t.sessionPhotos.id, photoId)))
      .returning(),
  );
}

export async function deleteResults(sessionId: string): Promise<PhotoRow[]> {
  const db = await conn();
  return await all(
    db
      .delete(t.sessionPhotos)
      .where(and(eq(t.sessionPhotos.sessionId, sessionId), eq(t.sessionPhotos.photoType, 'result')))
      .returning(),
  );
}

export async function allStorageKeys(): Promise<Set<string>> {
  const db = await conn();
  return new Set(
    (await all(db.select({ k: t.sessionPhotos.storageKey }).from(t.sessionPhotos))).map((r) => r.k),
  );
}

export async function storageTotals(
  now: Date,
): Promise<{ activeSessions: number; photosStored: number; bytesStored: number }> {
  const db = await conn();
  const photos = await get(
    db
      .select({ n: count(), bytes: sum(sql`${t.sessionPhotos.bytes} + ${t.sessionPhotos.thumbBytes}`) })
      .from(t.sessionPhotos),
  );
  const active = await get(db.select({ n: count() }).from(t.sessions).where(gt(t.sessions.expiresAt, now)));
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
  await run(
    db.insert(t.telegramLinks).values(row).onConflictDoNothing({ target: t.telegramLinks.sessionId }),
  );
}

export async function findTelegramLink(sessionId: string): Promise<TelegramLinkRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.telegramLinks).where(eq(t.telegramLinks.sessionId, sessionId)));
}

export async function findTelegramLinkByToken(startToken: string): Promise<TelegramLinkRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.telegramLinks).where(eq(t.telegramLinks.startToken, startToken)));
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
        .update(t.telegramLinks)
        .set(chat)
        .where(
          and(
            eq(t.telegramLinks.sessionId, sessionId),
            or(isNull(t.telegramLinks.userId), eq(t.telegramLinks.userId, chat.userId)),
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
      .from(t.telegramLinks)
      .where(eq(t.telegramLinks.chatId, chatId))
      .orderBy(desc(t.telegramLinks.linkedAt))
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
        .select({ chatId: t.telegramLinks.chatId, consentedAt: t.telegramLinks.consentedAt })
        .from(t.telegramLinks)
        .where(eq(t.telegramLinks.sessionId, sessionId)),
    );
    if (!link || link.chatId !== chatId) return false;
    if (!link.consentedAt)
      await run(
        tx.update(t.telegramLinks).set({ consentedAt: now }).where(eq(t.telegramLinks.sessionId, sessionId)),
      );
    return true;
  });
}

export async function claimTelegramDelivery(sessionId: string, photoId: string): Promise<boolean> {
  const db = await conn();
  return (
    (await run(
      db
        .update(t.telegramLinks)
        .set({ deliveredResultId: photoId })
        .where(
          and(
            eq(t.telegramLinks.sessionId, sessionId),
            or(isNull(t.telegramLinks.deliveredResultId), ne(t.telegramLinks.deliveredResultId, photoId)),
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
      .update(t.telegramLinks)
      .set({ deliveredResultId: previous })
      .where(and(eq(t.telegramLinks.sessionId, sessionId), eq(t.telegramLinks.deliveredResultId, photoId))),
  );
}

/** Live sessions with a linked chat whose current result has not been sent to it. */
export async function pendingTelegramDeliveries(now: Date): Promise<string[]> {
  const db = await conn();
  return (
    await all(
      db
        .select({ id: t.telegramLinks.sessionId })
        .from(t.telegramLinks)
        .innerJoin(t.sessions, eq(t.sessions.id, t.telegramLinks.sessionId))
        .innerJoin(
          t.sessionPhotos,
          and(
            eq(t.sessionPhotos.sessionId, t.telegramLinks.sessionId),
            eq(t.sessionPhotos.photoType, 'result'),
          ),
        )
        .where(
          and(
            isNotNull(t.telegramLinks.chatId),
            gt(t.sessions.expiresAt, now),
            or(
              isNull(t.telegramLinks.deliveredResultId),
              ne(t.telegramLinks.deliveredResultId, t.sessionPhotos.id),
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
          .insert(t.telegramUpdates)
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
    eq(t.telegramUpdates.state, 'pending'),
    or(isNull(t.telegramUpdates.claimedUntil), lte(t.telegramUpdates.claimedUntil, now)),
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
    const query = tx
      .select({ id: t.telegramUpdates.updateId })
      .from(t.telegramUpdates)
      .where(claimable(now))
      .orderBy(asc(t.telegramUpdates.updateId))
      .limit(1);
    // PostgreSQL: runners (of this and other processes) claim at once; each locks the row it picks
    // and passes over the ones others hold. Without it they all pick the same oldest row, all but
    // one find it claimed by the time they update it, and stop as if nothing were left. (SQLite's
    // transaction is exclusive: one claim at a time.)
    const next =
      dialect() === 'pg'
        ? (
            (await (query as unknown as { for(m: 'update', c: { skipLocked: true }): typeof query }).for(
              'update',
              { skipLocked: true },
            )) as { id: number }[]
          )[0]
        : await get(query);
    if (!next) return undefined;
    return await get(
      tx
        .update(t.telegramUpdates)
        .set({ claimedBy: owner, claimedUntil: until, attempts: sql`${t.telegramUpdates.attempts} + 1` })
        .where(and(eq(t.telegramUpdates.updateId, next.id), claimable(now)))
        .returning(),
    );
  });
}

/** The pending update `owner` holds the claim of. */
function heldClaim(updateId: number, owner: string) {
  return and(
    eq(t.telegramUpdates.updateId, updateId),
    eq(t.telegramUpdates.claimedBy, owner),
    eq(t.telegramUpdates.state, 'pending'),
  );
}

/** Extends the lease of an update this owner is working on; false when the claim was lost. */
export async function renewTelegramClaim(updateId: number, owner: string, until: Date): Promise<boolean> {
  const db = await conn();
  return (
    (await run(db.update(t.telegramUpdates).set({ claimedUntil: until }).where(heldClaim(updateId, owner)))) >
    0
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
        .update(t.telegramUpdates)
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
        .update(t.telegramUpdates)
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
      .select({ updateId: t.telegramUpdates.updateId, claimedBy: t.telegramUpdates.claimedBy })
      .from(t.telegramUpdates)
      .where(
        and(
          eq(t.telegramUpdates.state, 'pending'),
          isNotNull(t.telegramUpdates.claimedBy),
          gt(t.telegramUpdates.claimedUntil, now),
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
        .update(t.telegramUpdates)
        .set({ state: 'failed', processedAt: now, payload: null, claimedBy: null, claimedUntil: null })
        .where(and(eq(t.telegramUpdates.state, 'pending'), lt(t.telegramUpdates.receivedAt, before)))
        .returning({ id: t.telegramUpdates.updateId }),
    )
  ).map((r) => r.id);
}

export async function findTelegramUpdate(updateId: number): Promise<TelegramUpdateRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.telegramUpdates).where(eq(t.telegramUpdates.updateId, updateId)));
}

/** Deletes finished (done or failed) updates received before `before`; pending ones stay. */
export async function pruneTelegramUpdates(before: Date): Promise<number> {
  const db = await conn();
  return await run(
    db
      .delete(t.telegramUpdates)
      .where(and(lt(t.telegramUpdates.receivedAt, before), ne(t.telegramUpdates.state, 'pending'))),
  );
}

/** The photo a Telegram update brought, if it was already stored. */
export async function findPhotoByTelegramUpdate(updateId: number): Promise<PhotoRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.sessionPhotos).where(eq(t.sessionPhotos.telegramUpdateId, updateId)));
}

/** When each of these sessions last changed (ms since the epoch). */
export async function sessionsUpdatedAt(ids: string[]): Promise<{ id: string; updatedAt: number }[]> {
  const db = await conn();
  if (ids.length === 0) return [];
  return (
    await all(
      db
        .select({ id: t.sessions.id, updatedAt: t.sessions.updatedAt })
        .from(t.sessions)
        .where(inArray(t.sessions.id, ids)),
    )
  ).map((r) => ({ id: r.id, updatedAt: r.updatedAt.getTime() }));
}

// ---------------------------------------------------------------------------------------------
// Logins (revocable cookies) and rate-limit counters shared by every worker process.

export async function insertAuthSession(row: NewAuthSessionRow): Promise<void> {
  const db = await conn();
  await run(db.insert(t.authSessions).values(row));
}

export async function findAuthSession(id: string, now: Date): Promise<AuthSessionRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(t.authSessions)
      .where(and(eq(t.authSessions.id, id), gt(t.authSessions.expiresAt, now))),
  );
}

export async function touchAuthSession(id: string, now: Date): Promise<void> {
  const db = await conn();
  await run(db.update(t.authSessions).set({ lastSeenAt: now }).where(eq(t.authSessions.id, id)));
}

export async function deleteAuthSession(id: string): Promise<boolean> {
  const db = await conn();
  return (await run(db.delete(t.authSessions).where(eq(t.authSessions.id, id)))) > 0;
}

export async function pruneAuthSessions(now: Date): Promise<number> {
  const db = await conn();
  return await run(db.delete(t.authSessions).where(lte(t.authSessions.expiresAt, now)));
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
      .insert(t.rateLimits)
      .values({ key, count: 1, resetAt })
      .onConflictDoUpdate({
        target: t.rateLimits.key,
        set: {
          count: sql`case when ${t.rateLimits.resetAt} <= ${dbTime(now)} then 1 else ${t.rateLimits.count} + 1 end`,
          resetAt: sql`case when ${t.rateLimits.resetAt} <= ${dbTime(now)} then ${dbTime(resetAt)} else ${t.rateLimits.resetAt} end`,
        },
      })
      .returning({ count: t.rateLimits.count, resetAt: t.rateLimits.resetAt }),
  );
  return row;
}

export async function pruneRateLimits(now: Date): Promise<number> {
  const db = await conn();
  return await run(db.delete(t.rateLimits).where(lte(t.rateLimits.resetAt, now)));
}

export async function clearRateLimits(): Promise<void> {
  const db = await conn();
  await run(db.delete(t.rateLimits));
}

// ---------------------------------------------------------------------------------------------
// Photo slots of uploads in flight (taken before the body is read, released after the commit).

export async function insertUploadSlot(id: string, sessionId: string, expiresAt: Date): Promise<void> {
  const db = await conn();
  await run(db.insert(t.uploadSlots).values({ id, sessionId, expiresAt }));
}

/** Slots other uploads hold on this session now (an expired slot is a crashed upload's). */
export async function countUploadSlots(sessionId: string, now: Date, exceptId?: string): Promise<number> {
  const db = await conn();
  const conds = [eq(t.uploadSlots.sessionId, sessionId), gt(t.uploadSlots.expiresAt, now)];
  if (exceptId) conds.push(ne(t.uploadSlots.id, exceptId));
  return (
    (
      await get(
        db
          .select({ n: count() })
          .from(t.uploadSlots)
          .where(and(...conds)),
      )
    )?.n ?? 0
  );
}

export async function deleteUploadSlot(id: string): Promise<void> {
  const db = await conn();
  await run(db.delete(t.uploadSlots).where(eq(t.uploadSlots.id, id)));
}

/** Expired slots; with `all`, every slot (at start-up no upload is in flight). */
export async function pruneUploadSlots(now: Date, all = false): Promise<number> {
  const db = await conn();
  return await run(db.delete(t.uploadSlots).where(all ? undefined : lte(t.uploadSlots.expiresAt, now)));
}

// ---------------------------------------------------------------------------------------------
// Events (the rules and the wire shape are in lib/event-rules.ts).

export async function findEvent(id: string): Promise<EventRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.events).where(eq(t.events.id, id)));
}

export async function findDefaultEvent(): Promise<EventRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.events).where(eq(t.events.isDefault, true)));
}

/** The default event first, then the newest. */
export async function listEvents(): Promise<EventRow[]> {
  const db = await conn();
  return await all(
    db.select().from(t.events).orderBy(desc(t.events.isDefault), desc(t.events.createdAt), desc(t.events.id)),
  );
}

export async function insertEvent(row: NewEventRow): Promise<void> {
  const db = await conn();
  await run(db.insert(t.events).values(row));
}

export async function updateEventRow(id: string, patch: Partial<NewEventRow>): Promise<boolean> {
  const db = await conn();
  return (await run(db.update(t.events).set(patch).where(eq(t.events.id, id)))) > 0;
}

/** Deletes an event; its sessions (with their photo rows), booths and their logins cascade. */
export async function deleteEventRow(id: string): Promise<boolean> {
  const db = await conn();
  return (await run(db.delete(t.events).where(eq(t.events.id, id)))) > 0;
}

export async function sessionIdsOfEvent(eventId: string): Promise<string[]> {
  const db = await conn();
  return (
    await all(db.select({ id: t.sessions.id }).from(t.sessions).where(eq(t.sessions.eventId, eventId)))
  ).map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// Booths and their pairing codes (rules in lib/booths.ts).

export async function insertBooth(row: NewBoothRow): Promise<void> {
  const db = await conn();
  await run(db.insert(t.booths).values(row));
}

export async function findBooth(id: string): Promise<BoothRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.booths).where(eq(t.booths.id, id)));
}

export async function listBooths(filter: { eventId?: string } = {}): Promise<BoothRow[]> {
  const db = await conn();
  return await all(
    db
      .select()
      .from(t.booths)
      .where(filter.eventId ? eq(t.booths.eventId, filter.eventId) : undefined)
      .orderBy(asc(t.booths.createdAt), asc(t.booths.id)),
  );
}

export async function updateBoothRow(
  id: string,
  patch: Partial<Pick<NewBoothRow, 'name' | 'eventId' | 'lastSeenAt'>>,
): Promise<boolean> {
  const db = await conn();
  return (await run(db.update(t.booths).set(patch).where(eq(t.booths.id, id)))) > 0;
}

/** Deletes a booth; its pairing codes and logins cascade, its sessions keep going (booth_id null). */
export async function deleteBoothRow(id: string): Promise<boolean> {
  const db = await conn();
  return (await run(db.delete(t.booths).where(eq(t.booths.id, id)))) > 0;
}

export async function deleteBoothLogins(boothId: string): Promise<number> {
  const db = await conn();
  return await run(db.delete(t.authSessions).where(eq(t.authSessions.boothId, boothId)));
}

export async function insertPairing(row: typeof t.boothPairings.$inferInsert): Promise<void> {
  const db = await conn();
  await run(db.insert(t.boothPairings).values(row));
}

/** Ends every unused code of a booth (a new code replaces them). */
export async function deleteUnusedPairings(boothId: string): Promise<number> {
  const db = await conn();
  return await run(
    db
      .delete(t.boothPairings)
      .where(and(eq(t.boothPairings.boothId, boothId), isNull(t.boothPairings.usedAt))),
  );
}

/** The live (unused, unexpired) codes with this hash: at most one, codes are unique while live. */
export async function findLivePairings(codeHash: string, now: Date): Promise<BoothPairingRow[]> {
  const db = await conn();
  return await all(
    db
      .select()
      .from(t.boothPairings)
      .where(
        and(
          eq(t.boothPairings.codeHash, codeHash),
          isNull(t.boothPairings.usedAt),
          gt(t.boothPairings.expiresAt, now),
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
        .update(t.boothPairings)
        .set({ usedAt: now })
        .where(
          and(eq(t.boothPairings.id, id), isNull(t.boothPairings.usedAt), gt(t.boothPairings.expiresAt, now)),
        ),
    )) > 0
  );
}

export async function prunePairings(now: Date): Promise<number> {
  const db = await conn();
  return await run(db.delete(t.boothPairings).where(lte(t.boothPairings.expiresAt, now)));
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
      .select({ login: t.authSessions, eventId: t.booths.eventId, lastSeenAt: t.booths.lastSeenAt })
      .from(t.authSessions)
      .leftJoin(t.booths, eq(t.booths.id, t.authSessions.boothId))
      .where(and(eq(t.authSessions.id, id), gt(t.authSessions.expiresAt, now))),
  );
  if (!row) return undefined;
  return { ...row.login, boothEventId: row.eventId ?? null, boothLastSeenAt: row.lastSeenAt ?? null };
}

// ---------------------------------------------------------------------------------------------
// Pictures: finished pictures kept on a take-home link of their own (rules in lib/pictures.ts).

export async function findPictureByToken(token: string): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.pictures).where(eq(t.pictures.token, token)));
}

export async function findPictureOfSession(sessionId: string): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.pictures).where(eq(t.pictures.sessionId, sessionId)));
}

export async function insertPicture(row: NewPictureRow): Promise<void> {
  const db = await conn();
  await run(db.insert(t.pictures).values(row));
}

export async function updatePictureRow(id: string, patch: Partial<NewPictureRow>): Promise<void> {
  const db = await conn();
  await run(db.update(t.pictures).set(patch).where(eq(t.pictures.id, id)));
}

/** Deletes a picture (with `expiredBy`, only if it expired by then: the sweep's condition). */
export async function deletePictureRow(id: string, expiredBy?: Date): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(
    db
      .delete(t.pictures)
      .where(and(eq(t.pictures.id, id), expiredBy ? lte(t.pictures.expiresAt, expiredBy) : undefined))
      .returning(),
  );
}

export async function expiredPictures(now: Date): Promise<PictureRow[]> {
  const db = await conn();
  return await all(db.select().from(t.pictures).where(lte(t.pictures.expiresAt, now)));
}

export async function picturesOfEvent(eventId: string): Promise<PictureRow[]> {
  const db = await conn();
  return await all(db.select().from(t.pictures).where(eq(t.pictures.eventId, eventId)));
}

export async function allPictureStorageKeys(): Promise<Set<string>> {
  const db = await conn();
  return new Set((await all(db.select({ k: t.pictures.storageKey }).from(t.pictures))).map((r) => r.k));
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
  const col = t.eventStats[column];
  await run(
    db
      .insert(t.eventStats)
      .values({ eventId, hour, [column]: by })
      .onConflictDoUpdate({
        target: [t.eventStats.eventId, t.eventStats.hour],
        set: { [column]: sql`${col} + ${by}` },
      }),
  );
}

/** The event's rows, oldest hour first. */
export async function eventStatRows(eventId: string): Promise<EventStatsRow[]> {
  const db = await conn();
  return await all(
    db.select().from(t.eventStats).where(eq(t.eventStats.eventId, eventId)).orderBy(asc(t.eventStats.hour)),
  );
}
// ---------------------------------------------------------------------------------------------
// The host gallery (rules in lib/gallery.ts).

export async function findEventByHostToken(token: string): Promise<EventRow | undefined> {
  const db = await conn();
  return await get(db.select().from(t.events).where(eq(t.events.hostToken, token)));
}

/** Sets the event's host token; with `onlyIfNone`, only when it has none yet (the lazy create). */
export async function setEventHostToken(id: string, token: string, onlyIfNone = false): Promise<void> {
  const db = await conn();
  await run(
    db
      .update(t.events)
      .set({ hostToken: token })
      .where(and(eq(t.events.id, id), onlyIfNone ? isNull(t.events.hostToken) : undefined)),
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
      lt(t.pictures.createdAt, before),
      and(eq(t.pictures.createdAt, before), lt(t.pictures.id, beforeId)),
    );
  } else if (before) {
    cursor = lt(t.pictures.createdAt, before);
  }
  return await all(
    db
      .select()
      .from(t.pictures)
      .where(and(eq(t.pictures.eventId, eventId), gt(t.pictures.expiresAt, opts.now), cursor))
      .orderBy(desc(t.pictures.createdAt), desc(t.pictures.id))
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
      .select({ count: count(), bytes: sql<number>`coalesce(sum(${t.pictures.bytes}), 0)` })
      .from(t.pictures)
      .where(and(eq(t.pictures.eventId, eventId), gt(t.pictures.expiresAt, now))),
  );
  return { count: row?.count ?? 0, bytes: Number(row?.bytes ?? 0) };
}

/** One live picture of the event by id (a picture of another event is not found). */
export async function findEventPicture(eventId: string, id: string): Promise<PictureRow | undefined> {
  const db = await conn();
  return await get(
    db
      .select()
      .from(t.pictures)
      .where(and(eq(t.pictures.eventId, eventId), eq(t.pictures.id, id))),
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
      .from(t.pictures)
      .where(
        and(
          eq(t.pictures.eventId, eventId),
          gt(t.pictures.expiresAt, now),
          after
            ? or(
                gt(t.pictures.createdAt, after.createdAt),
                and(eq(t.pictures.createdAt, after.createdAt), gt(t.pictures.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(t.pictures.createdAt), asc(t.pictures.id))
      .limit(limit),
  );
}

/** The ids and times of an event's live pictures (the gallery stream's poll: what came, what went). */
export async function eventPictureStamps(eventId: string, now: Date): Promise<{ id: string; at: number }[]> {
  const db = await conn();
  return (
    await all(
      db
        .select({ id: t.pictures.id, createdAt: t.pictures.createdAt })
        .from(t.pictures)
        .where(and(eq(t.pictures.eventId, eventId), gt(t.pictures.expiresAt, now))),
    )
  ).map((r) => ({ id: r.id, at: r.createdAt.getTime() }));
}
