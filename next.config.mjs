import createNextIntlPlugin from 'next-intl/plugin';

// Translations (messages/*.json) without locale-prefixed routes: the locale comes from i18n/request.ts.
const withNextIntl = createNextIntlPlugin('./i18n/request.ts');

// Content-Security-Policy: everything from this origin only, so even an injected script could not
// load code from elsewhere or send a guest's photos to another host (connect-src, img-src, form-action).
// Next's own inline bootstrap scripts need 'unsafe-inline' (a nonce would force every page to render
// dynamically); the dev server's hot reload needs eval.
const dev = process.env.NODE_ENV !== 'production';
const csp = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "font-src 'self' data:",
  `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = [
  { key: 'Content-Security-Policy', value: csp },
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
