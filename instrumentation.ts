/**
 * Runs once when the server process starts, before it serves a request: validates the
 * configuration (a bad value stops the server here), migrates the database, makes sure the
 * tokens exist, sweeps what a crash may have left behind, and starts the periodic sweep.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('./lib/startup');
  await startServer();
}
