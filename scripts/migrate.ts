import { getDb } from '@/db';
import { getConfig } from '@/lib/config';

getDb();
console.log(`Database migrated: ${getConfig().dbFile}`);
