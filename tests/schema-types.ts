/**
 * Type check (tsc, not vitest): every table's row types are the same in db/schema.ts (SQLite) and
 * db/schema.pg.ts (PostgreSQL), so the domain code reads and writes identical rows from either.
 * A drifted column makes `npx tsc --noEmit` fail on the table's line below.
 */
import type { Table } from 'drizzle-orm';
import type * as sqlite from '../db/schema';
import type * as pg from '../db/schema.pg';

type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SameRows<S extends Table, P extends Table> =
  MutuallyAssignable<S['$inferSelect'], P['$inferSelect']> extends true
    ? MutuallyAssignable<S['$inferInsert'], P['$inferInsert']>
    : false;

/** Fails to compile unless T is exactly `true`. */
function same<T extends true>(_: T): void {}

same<SameRows<typeof sqlite.events, typeof pg.events>>(true);
same<SameRows<typeof sqlite.booths, typeof pg.booths>>(true);
same<SameRows<typeof sqlite.boothPairings, typeof pg.boothPairings>>(true);
same<SameRows<typeof sqlite.sessions, typeof pg.sessions>>(true);
same<SameRows<typeof sqlite.sessionChanges, typeof pg.sessionChanges>>(true);
same<SameRows<typeof sqlite.sessionPhotos, typeof pg.sessionPhotos>>(true);
same<SameRows<typeof sqlite.pictures, typeof pg.pictures>>(true);
same<SameRows<typeof sqlite.eventStats, typeof pg.eventStats>>(true);
same<SameRows<typeof sqlite.telegramLinks, typeof pg.telegramLinks>>(true);
// SQLite makes an INTEGER PRIMARY KEY (the rowid) optional on insert; the code always gives the
// update_id, so the insert rows are compared with it required.
same<MutuallyAssignable<typeof sqlite.telegramUpdates.$inferSelect, typeof pg.telegramUpdates.$inferSelect>>(
  true,
);
same<
  MutuallyAssignable<
    typeof sqlite.telegramUpdates.$inferInsert & { updateId: number },
    typeof pg.telegramUpdates.$inferInsert
  >
>(true);
same<SameRows<typeof sqlite.uploadSlots, typeof pg.uploadSlots>>(true);
same<SameRows<typeof sqlite.authSessions, typeof pg.authSessions>>(true);
same<SameRows<typeof sqlite.rateLimits, typeof pg.rateLimits>>(true);

/** Every table of each schema is listed above (a new table must be added to both and here). */
type Tables<M> = { [K in keyof M as M[K] extends Table ? K : never]: M[K] };
same<MutuallyAssignable<keyof Tables<typeof sqlite>, keyof Tables<typeof pg>>>(true);
