import { describe, expect, it } from 'vitest';
import { resetConfigForTests } from '@/lib/config';
import { baseUrlFromHeaders, firstLanIPv4, isLoopbackHost } from '@/lib/links';

function base(host: string, env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, { PUBLIC_URL: '', ...env });
  resetConfigForTests();
  try {
    return baseUrlFromHeaders(new Headers({ host }));
  } finally {
    process.env = saved;
    resetConfigForTests();
  }
}

describe('the guest link base', () => {
  it('uses PUBLIC_URL when set', () => {
    expect(base('localhost:3000', { PUBLIC_URL: 'https://photos.example.com' })).toBe(
      'https://photos.example.com',
    );
  });

  it('keeps a non-loopback host as the booth reached it', () => {
    expect(base('192.168.1.20:3000')).toBe('http://192.168.1.20:3000');
    expect(base('booth.local')).toBe('http://booth.local');
  });

  it('swaps a loopback host for the LAN address, keeping the port', () => {
    const lan = firstLanIPv4();
    const url = base('localhost:3000');
    if (lan) expect(url).toBe(`http://${lan}:3000`);
    else expect(url).toBe('http://localhost:3000');
    expect(isLoopbackHost(new URL(base('127.0.0.1:8080')).hostname)).toBe(!lan);
  });

  it('knows loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '0.0.0.0'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['192.168.1.2', 'booth.local', '10.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
  });
});
