import { prepareDatabase } from '@/db/connection';
import { closePg } from '@/db/pg';

// Applies the migrations of the configured database (SQLite in DATA_DIR, or PostgreSQL when
// DATABASE_URL is set) and exits. The server does the same at start-up; this is for deploys that
// migrate as a step of their own (docs/hosting.md).
prepareDatabase()
  .then(async (where) => {
    console.log(`Database migrated: ${where}`);
    await closePg();
  })
  .catch((err) => {
    console.error('Migration failed:', err);
    process.exit(1);
  });
