import { startupPairing } from './booths';
import { getConfig } from './config';
import { baseUrlFromHeaders } from './links';

/**
 * Prints, at the first worker's start of an install whose tokens were generated, a link that
 * pairs the default event's first booth ("Booth 1", made when there is none): open it on the
 * booth's screen and it is set up. Nothing is printed once every booth was paired.
 */
export async function pairingLinkAtStartup(): Promise<void> {
  try {
    // PUBLIC_URL when set, else this machine's LAN address (localhost when there is none).
    const base = baseUrlFromHeaders(new Headers({ host: `localhost:${getConfig().port}` }));
    const made = await startupPairing(base);
    if (!made) return;
    console.log(
      `[booth] to pair "${made.booth.name}" open ${made.pairing.url} on the booth (code ${made.pairing.code}, valid 10 minutes)`,
    );
  } catch (err) {
    // A convenience: it must never stop the server.
    console.error('[booth] could not make a pairing link:', err);
  }
}
