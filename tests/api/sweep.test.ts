import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { periodicSweep, runSweep, SWEEP_LOCK_ID } from '@/lib/cleanup';
import { getConfig } from '@/lib/config';
import { withPgAdvisoryLock } from '@/lib/pg-lock';
import { useTestEnv } from '../support/env';

useTestEnv();

/** A pid that no process has now: one that ran and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  if (!child.pid) throw new Error('could not start a child process');
  return child.pid;
}

/** An upload temp file as a process with this pid leaves it (lib/storage.ts names them so). */
function tempFile(pid: number): string {
  const { tmpDir } = getConfig();
  fs.mkdirSync(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `${pid}-${crypto.randomUUID()}.upload`);
  fs.writeFileSync(file, 'part of a photo');
  return file;
}

describe('the periodic sweep', () => {
  it('runs once per interval for the whole installation: the first process to come sweeps, the others skip', async () => {
    const interval = 60_000;
    const t0 = new Date();
    // Two workers (or instances) whose timers fire 20 s apart in the same interval.
    expect(await periodicSweep(interval, t0)).toBe(true);
    expect(await periodicSweep(interval, new Date(t0.getTime() + 20_000))).toBe(false);
    // The next interval: a new window, one sweep again.
    expect(await periodicSweep(interval, new Date(t0.getTime() + interval))).toBe(true);
    expect(await periodicSweep(interval, new Date(t0.getTime() + interval + 20_000))).toBe(false);
  });

  it("a process that skips the interval's sweep still removes its own disk's temp files of dead processes", async () => {
    const interval = 60_000;
    const t0 = new Date(Date.now() + 10 * interval); // a window no other test has opened
    expect(await periodicSweep(interval, t0)).toBe(true);
    const dead = tempFile(deadPid());
    const mine = tempFile(process.pid); // an upload of this live process, in flight
    expect(await periodicSweep(interval, new Date(t0.getTime() + 20_000))).toBe(false);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(mine)).toBe(true);
    fs.rmSync(mine);
  });

  it("sweeps this instance's temp files even while another instance holds the fleet's sweep", async () => {
    const dead = tempFile(deadPid());
    const url = getConfig().databaseUrl;
    if (url) {
      // Hosted: another instance is sweeping the database and the bucket; this one skips that part.
      const held = await withPgAdvisoryLock(url, SWEEP_LOCK_ID, async () => {
        const swept = await runSweep({ startup: false });
        expect(swept.tmp).toBe(1);
        expect(swept.orphans).toBe(0);
        expect(fs.existsSync(dead)).toBe(false);
      });
      expect(held.ran).toBe(true);
    } else {
      expect((await runSweep({ startup: false })).tmp).toBe(1);
      expect(fs.existsSync(dead)).toBe(false);
    }
  });
});
