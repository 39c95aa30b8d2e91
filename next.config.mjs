import createNextIntlPlugin from 'next-intl/plugin';

// Translations (messages/*.json) without locale-prefixed routes: the locale comes from i18n/request.ts.
const withNextIntl = createNextIntlPlugin('./i18n/request.ts');

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(self), microphone=(), geolocation=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A separate build folder lets two builds (e.g. the tests' and a benchmark's) live side by side.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // `npm run bench` builds its own copy and leaves type checking to `npm run typecheck`.
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === '1' },
  // JSON answers are small and SSE must not be buffered by a compressor; a reverse proxy may compress.
  compress: false,
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ['better-sqlite3', 'sharp', 'busboy'],
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      // The guest link is a capability: never leak it through Referer.
      { source: '/:path*', headers: [{ key: 'Referrer-Policy', value: 'no-referrer' }] },
    ];
  },
};

export default withNextIntl(nextConfig);
