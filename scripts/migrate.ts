import { getConfig } from '@/lib/config';
import { getDb } from '@/db';

getDb();
console.log(`Database migrated: ${getConfig().dbFile}`);
