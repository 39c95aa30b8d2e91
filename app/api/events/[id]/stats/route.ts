import { z } from 'zod';
import { eventStatsCsv, eventStatsOf } from '@/lib/event-stats';
import { authorize, json, readQuery, route } from '@/lib/http';

type P = { id: string };

const querySchema = z.object({ format: z.enum(['json', 'csv']).default('json') });

/** The event's statistics (admin only); `?format=csv` as a CSV file (lib/event-stats.ts). */
export const GET = route<P>(async (request, { id }) => {
  await authorize(request, 'admin');
  const { format } = readQuery(request, querySchema);
  if (format === 'json') return json({ stats: (await eventStatsOf(id)).json });
  const csv = await eventStatsCsv(id); // 404 event_not_found before the id reaches a header
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="event-stats-${id.toLowerCase()}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
});
