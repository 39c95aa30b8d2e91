// Makes the committed test fixtures (run once; needs exiftool from Debian's libimage-exiftool-perl).
// phone-exif.jpg: a 4032×3024 "phone photo" stored sideways with EXIF Orientation 6 (rotate 90° CW
// to view) and GPS tags. A red block sits at the stored top-left corner, so upright it shows at the
// top-right; the tests check the pipeline turned it and dropped every tag.
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';

const W = 4032;
const H = 3024;
const out = 'tests/fixtures/phone-exif.jpg';
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2563eb"/><stop offset="1" stop-color="#f59e0b"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  <rect x="0" y="0" width="800" height="600" fill="#ff0000"/>
  <circle cx="${W / 2}" cy="${H / 2}" r="700" fill="#ffffff" fill-opacity="0.6"/>
</svg>`;
await sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toFile(out);
execFileSync('exiftool', [
  '-overwrite_original',
  '-Orientation#=6',
  '-Make=TestPhone',
  '-Model=Fixture 1',
  '-DateTimeOriginal=2026:06:20 18:30:00',
  '-GPSLatitude=55.7539',
  '-GPSLatitudeRef=N',
  '-GPSLongitude=37.6208',
  '-GPSLongitudeRef=E',
  '-Artist=Guest Name',
  out,
]);
console.log(execFileSync('exiftool', ['-s', '-Orientation', '-GPSPosition', '-ImageSize', out]).toString());
