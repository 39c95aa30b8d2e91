import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Makes the preview's sample photos (assets/samples/sample-1..6.jpg): synthetic scenes drawn here
 * (a backdrop, one or two smiling figures, confetti), the project's own work. Run once with
 * `npx tsx scripts/make-samples.ts`; the output is committed. Deterministic (seeded).
 */

const OUT = path.join(process.cwd(), 'assets', 'samples');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SKIN = ['#f1c27d', '#e0ac69', '#c68642', '#8d5524', '#ffdbac', '#d1a17a'];

function figure(cx: number, cy: number, r: number, skin: string, shirt: string): string {
  return `
    <ellipse cx="${cx}" cy="${cy + r * 2.6}" rx="${r * 1.7}" ry="${r * 1.5}" fill="${shirt}"/>
    <rect x="${cx - r * 0.35}" y="${cy + r * 0.8}" width="${r * 0.7}" height="${r * 0.6}" fill="${skin}"/>
    <circle cx="${cx}" cy="${cy}" r="${r}" fill="${skin}"/>
    <path d="M ${cx - r} ${cy - r * 0.1} Q ${cx} ${cy - r * 1.6} ${cx + r} ${cy - r * 0.1} Q ${cx} ${cy - r * 0.9} ${cx - r} ${cy - r * 0.1} Z" fill="#3b2416"/>
    <circle cx="${cx - r * 0.35}" cy="${cy - r * 0.05}" r="${r * 0.11}" fill="#1b1b1b"/>
    <circle cx="${cx + r * 0.35}" cy="${cy - r * 0.05}" r="${r * 0.11}" fill="#1b1b1b"/>
    <path d="M ${cx - r * 0.4} ${cy + r * 0.35} Q ${cx} ${cy + r * 0.75} ${cx + r * 0.4} ${cy + r * 0.35}" stroke="#7a1f1f" stroke-width="${r * 0.09}" fill="none" stroke-linecap="round"/>`;
}

function scene(i: number): { svg: string; width: number; height: number } {
  const rand = rng(1000 + i);
  const portrait = i % 3 === 2;
  const width = portrait ? 900 : 1200;
  const height = portrait ? 1200 : 900;
  const hue = (i * 57 + 190) % 360;
  const confetti = Array.from({ length: 90 }, () => {
    const x = rand() * width;
    const y = rand() * height;
    const c = `hsl(${Math.floor(rand() * 360)},80%,60%)`;
    return `<rect x="${x}" y="${y}" width="${6 + rand() * 10}" height="${4 + rand() * 6}" fill="${c}" transform="rotate(${rand() * 180} ${x} ${y})"/>`;
  }).join('');
  const people = i % 2 === 0 ? 2 : 1;
  const r = portrait ? 130 : 110;
  const figures = Array.from({ length: people }, (_, k) => {
    const cx = people === 1 ? width / 2 : width * (k === 0 ? 0.33 : 0.67);
    return figure(
      cx,
      height * (portrait ? 0.33 : 0.38),
      r,
      SKIN[(i + k * 3) % SKIN.length] as string,
      `hsl(${(hue + 150 + k * 60) % 360},55%,40%)`,
    );
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},60%,75%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},55%,45%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${confetti}${figures}</svg>`;
  return { svg, width, height };
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  for (let i = 1; i <= 6; i++) {
    const { svg, width, height } = scene(i);
    // A little grain, as a camera would have, so the samples compress like photos.
    const rand = rng(i);
    const noise = Buffer.alloc(width * height);
    for (let k = 0; k < noise.length; k++) noise[k] = 118 + Math.floor(rand() * 20);
    const grain = await sharp(noise, { raw: { width, height, channels: 1 } })
      .toColourspace('srgb')
      .ensureAlpha(0.5)
      .png()
      .toBuffer();
    const file = path.join(OUT, `sample-${i}.jpg`);
    await sharp(Buffer.from(svg))
      .composite([{ input: grain, blend: 'soft-light' }])
      .jpeg({ quality: 80 })
      .toFile(file);
    console.log(file, fs.statSync(file).size);
  }
}

void main();
