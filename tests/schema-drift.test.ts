/**
 * The PostgreSQL schema (db/schema.pg.ts) must describe the same database as the SQLite one
 * (db/schema.ts, the source of truth): same tables, columns, nullability, defaults, keys, indexes
 * and foreign keys, with each column's type mapped by the table below. A change to one schema
 * without the other fails here (and the row types in tests/schema-types.ts, under tsc).
 */
import { type Column, getTableColumns, getTableName, is, SQL, type Table } from 'drizzle-orm';
import { PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { SQLiteTable, getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as sqliteSchema from '@/db/schema';
import * as pgTables from '@/db/schema.pg';

/** SQLite column type → the kind of value it holds. */
const SQLITE_KINDS: Record<string, string> = {
  SQLiteText: 'text',
  SQLiteTextJson: 'json',
  SQLiteInteger: 'integer',
  SQLiteBoolean: 'boolean',
  SQLiteTimestamp: 'timestamp_ms',
  SQLiteReal: 'real',
};

/** PostgreSQL column type and SQL type → the same kinds. Anything else is a drift. */
const PG_KINDS: Record<string, string> = {
  'PgText text': 'text',
  'PgJsonb jsonb': 'json',
  'PgInteger integer': 'integer',
  'PgBigInt53 bigint': 'integer',
  'PgBoolean boolean': 'boolean',
  'PgTimestamp timestamp (3) with time zone': 'timestamp_ms',
  'PgDoublePrecision double precision': 'real',
};

/** Integers that may pass 2^31 and so are `bigint` (as a JS number) in PostgreSQL; the rest are `integer`. */
const BIGINT_COLUMNS = new Set([
  'sessions.telegram_user_id',
  'session_photos.telegram_update_id',
  'event_stats.hour',
  'telegram_links.chat_id',
  'telegram_links.user_id',
  'telegram_updates.update_id',
  'telegram_updates.chat_id',
]);

type Config = ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>;

function columnNames(columns: readonly unknown[]): string[] {
  return columns.map((c) => (is(c, SQL) ? 'sql' : (c as { name: string }).name));
}

function describeColumn(table: string, column: Column, dialect: 'sqlite' | 'pg') {
  let kind: string;
  if (dialect === 'sqlite') {
    kind = SQLITE_KINDS[column.columnType] ?? `unmapped ${column.columnType}`;
  } else {
    const key = `${column.columnType} ${column.getSQLType()}`;
    kind = PG_KINDS[key] ?? `unmapped ${key}`;
    const bigint = column.columnType === 'PgBigInt53';
    if (bigint !== BIGINT_COLUMNS.has(`${table}.${column.name}`))
      kind += bigint ? ' (bigint)' : ' (not bigint)';
  }
  return {
    kind,
    notNull: column.notNull,
    // drizzle counts SQLite's INTEGER PRIMARY KEY (the rowid alias) as having a default; it is not a
    // declared one (the code always gives telegram_updates.update_id), so it is compared as none.
    hasDefault:
      column.hasDefault &&
      !(
        dialect === 'sqlite' &&
        column.primary &&
        column.columnType === 'SQLiteInteger' &&
        column.default === undefined
      ),
    // SQL defaults are written per dialect ('{}' vs '{}'::jsonb); values must be equal.
    default: is(column.default, SQL) ? 'sql' : column.default,
    enumValues: column.enumValues ?? null,
    unique: column.isUnique,
  };
}

/** A dialect-neutral description of one table. */
function describeTable(table: Table, config: Config, dialect: 'sqlite' | 'pg') {
  const name = config.name;
  const jsKeys = Object.fromEntries(Object.entries(getTableColumns(table)).map(([key, c]) => [key, c.name]));
  const columns = Object.fromEntries(config.columns.map((c) => [c.name, describeColumn(name, c, dialect)]));
  const primaryKeys = [
    ...config.columns.filter((c) => c.primary).map((c) => [c.name]),
    ...config.primaryKeys.map((pk) => pk.columns.map((c) => c.name)),
  ];
  const indexes = config.indexes
    .map((i) => ({
      name: i.config.name,
      columns: columnNames(i.config.columns),
      unique: i.config.unique,
      partial: i.config.where !== undefined,
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const uniqueConstraints = config.uniqueConstraints
    .map((u) => ({ name: u.name ?? null, columns: u.columns.map((c) => c.name) }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const foreignKeys = config.foreignKeys
    .map((fk) => {
      const ref = fk.reference();
      return {
        columns: ref.columns.map((c) => c.name),
        table: getTableName(ref.foreignTable),
        foreignColumns: ref.foreignColumns.map((c) => c.name),
        onDelete: fk.onDelete ?? 'no action',
        onUpdate: fk.onUpdate ?? 'no action',
      };
    })
    .sort((a, b) => a.columns.join().localeCompare(b.columns.join()));
  return {
    jsKeys,
    columns,
    primaryKeys,
    indexes,
    uniqueConstraints,
    foreignKeys,
    checks: config.checks.length,
  };
}

function sqliteDescription() {
  const entries = Object.entries(sqliteSchema).filter(([, v]) => is(v, SQLiteTable)) as [
    string,
    SQLiteTable,
  ][];
  return Object.fromEntries(
    entries.map(([key, t]) => [
      key,
      { name: getTableName(t), ...describeTable(t, sqliteConfig(t), 'sqlite') },
    ]),
  );
}

function pgDescription() {
  const entries = Object.entries(pgTables).filter(([, v]) => is(v, PgTable)) as [string, PgTable][];
  return Object.fromEntries(
    entries.map(([key, t]) => [key, { name: getTableName(t), ...describeTable(t, pgConfig(t), 'pg') }]),
  );
}

describe('the PostgreSQL schema matches the SQLite schema', () => {
  const sqlite = sqliteDescription();
  const pg = pgDescription();

  it('has the same tables under the same export names', () => {
    expect(Object.keys(sqlite).length).toBeGreaterThan(10);
    expect(Object.keys(pg).sort()).toEqual(Object.keys(sqlite).sort());
    for (const key of Object.keys(sqlite)) expect(pg[key]?.name, key).toBe(sqlite[key]?.name);
  });

  for (const key of Object.keys(sqlite)) {
    it(`table ${sqlite[key]?.name}: same columns, types, keys, indexes and foreign keys`, () => {
      expect(pg[key]).toEqual(sqlite[key]);
    });
  }

  it('maps every column type it meets', () => {
    for (const table of Object.values(pg)) {
      for (const [column, c] of Object.entries(table.columns)) {
        expect(c.kind, `${table.name}.${column}`).not.toMatch(/unmapped|bigint/);
      }
    }
    for (const column of BIGINT_COLUMNS) {
      const [table, name] = column.split('.') as [string, string];
      const sqliteTable = Object.values(sqlite).find((t) => t.name === table);
      expect(sqliteTable?.columns[name]?.kind, column).toBe('integer');
    }
  });
});
