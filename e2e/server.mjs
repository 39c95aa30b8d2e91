// The server the journeys run against: a fresh production build in .next-e2e (so it never
// clashes with a developer's .next), then `next start` on 127.0.0.1 with a throwaway data dir.
// Set E2E_SKIP_BUILD=1 to reuse an existing .next-e2e build.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2E_APP_ENV } from './app-env.mjs';

const root = process.cwd();
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const port = process.env.E2E_PORT ?? '3217';
const distDir = '.next-e2e';
const env = {
  ...process.env,
  NEXT_DIST_DIR: distDir,
  NEXT_TELEMETRY_DISABLED: '1',
};

if (!(process.env.E2E_SKIP_BUILD === '1' && fs.existsSync(path.join(root, distDir, 'BUILD_ID')))) {
  execFileSync(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit', env });
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'photobooth-e2e-'));
console.log(`[e2e] data in ${dataDir}`);
// The production start command (two workers), so the journeys also cross processes.
const child = spawn(process.execPath, [path.join(root, 'server.mjs'), '-p', port, '-H', '127.0.0.1'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...env,
    NODE_ENV: 'production',
    WEB_CONCURRENCY: '2',
    DATA_DIR: dataDir,
    ...E2E_APP_ENV,
  },
});

const stop = (signal) => {
  child.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
child.on('exit', (code, signal) => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 0 : 1));
});
