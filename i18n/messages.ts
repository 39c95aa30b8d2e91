import type { AbstractIntlMessages } from 'next-intl';
import { getMessages } from 'next-intl/server';

/** Only the namespaces a page's client components use are sent to the browser. */
export async function pickMessages(...namespaces: string[]): Promise<AbstractIntlMessages> {
  const all = (await getMessages()) as AbstractIntlMessages;
  return Object.fromEntries(
    namespaces.filter((n) => n in all).map((n) => [n, all[n] as AbstractIntlMessages]),
  );
}
