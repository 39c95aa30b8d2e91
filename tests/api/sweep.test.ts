import { describe, expect, it } from 'vitest';
import { periodicSweep } from '@/lib/cleanup';
import { useTestEnv } from '../support/env';

useTestEnv();

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
});
