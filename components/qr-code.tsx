'use client';

import { QRCodeSVG } from 'qrcode.react';

/**
 * A QR code with a white quiet zone (phones read dark-on-light with a margin best), drawn as SVG
 * so it stays sharp at any size.
 */
export function QrCode({
  value,
  label,
  size = 320,
  fluid,
}: {
  value: string;
  label: string;
  size?: number;
  /** A CSS length (e.g. `min(40vh, 24vw)`) so the code fills the screen it is on. */
  fluid?: string;
}) {
  const edge = fluid ?? `${size}px`;
  return (
    <div className="inline-block rounded-2xl bg-white p-4">
      <QRCodeSVG
        value={value}
        size={size}
        level="M"
        marginSize={2}
        role="img"
        aria-label={label}
        title={label}
        style={{ width: edge, height: edge }}
      />
    </div>
  );
}

/** The payload of a Wi-Fi join QR code (`WIFI:T:WPA;S:…;P:…;;`), special characters escaped. */
export function wifiQrValue(ssid: string, password?: string): string {
  const esc = (v: string) => v.replace(/([\\;,:"])/g, '\\$1');
  return password ? `WIFI:T:WPA;S:${esc(ssid)};P:${esc(password)};;` : `WIFI:T:nopass;S:${esc(ssid)};;`;
}
