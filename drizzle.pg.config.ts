import { defineConfig } from 'drizzle-kit';

// PostgreSQL (hosted mode, DATABASE_URL): `npm run db:generate:pg` writes db/migrations-pg from
// db/schema.pg.ts; generating needs no database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.pg.ts',
  out: './db/migrations-pg',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/photobooth' },
});
