// A line chart as a PNG with no dependencies: a raster, a 5×7 bitmap font for the labels, and the
// PNG container written by hand (zlib from Node). Enough for one chart of latency against load.
'use strict';
const zlib = require('node:zlib');

// 5×7 glyphs, one byte per row, the low 5 bits are the pixels (bit 4 = leftmost).
const FONT = {
  0: [14, 17, 19, 21, 25, 17, 14],
  1: [4, 12, 4, 4, 4, 4, 14],
  2: [14, 17, 1, 2, 4, 8, 31],
  3: [31, 2, 4, 2, 1, 17, 14],
  4: [2, 6, 10, 18, 31, 2, 2],
  5: [31, 16, 30, 1, 1, 17, 14],
  6: [6, 8, 16, 30, 17, 17, 14],
  7: [31, 1, 2, 4, 8, 8, 8],
  8: [14, 17, 17, 14, 17, 17, 14],
  9: [14, 17, 17, 15, 1, 2, 12],
  a: [0, 0, 14, 1, 15, 17, 15],
  b: [16, 16, 22, 25, 17, 17, 30],
  c: [0, 0, 14, 16, 16, 17, 14],
  d: [1, 1, 13, 19, 17, 17, 15],
  e: [0, 0, 14, 17, 31, 16, 14],
  f: [6, 9, 8, 28, 8, 8, 8],
  g: [0, 15, 17, 17, 15, 1, 14],
  h: [16, 16, 22, 25, 17, 17, 17],
  i: [4, 0, 12, 4, 4, 4, 14],
  j: [2, 0, 6, 2, 2, 18, 12],
  k: [16, 16, 18, 20, 24, 20, 18],
  l: [12, 4, 4, 4, 4, 4, 14],
  m: [0, 0, 26, 21, 21, 17, 17],
  n: [0, 0, 22, 25, 17, 17, 17],
  o: [0, 0, 14, 17, 17, 17, 14],
  p: [0, 0, 30, 17, 30, 16, 16],
  q: [0, 0, 13, 19, 15, 1, 1],
  r: [0, 0, 22, 25, 16, 16, 16],
  s: [0, 0, 14, 16, 14, 1, 30],
  t: [8, 8, 28, 8, 8, 9, 6],
  u: [0, 0, 17, 17, 17, 19, 13],
  v: [0, 0, 17, 17, 17, 10, 4],
  w: [0, 0, 17, 17, 21, 21, 10],
  x: [0, 0, 17, 10, 4, 10, 17],
  y: [0, 0, 17, 17, 15, 1, 14],
  z: [0, 0, 31, 2, 4, 8, 31],
  '/': [1, 1, 2, 4, 8, 16, 16],
  '.': [0, 0, 0, 0, 0, 12, 12],
  ',': [0, 0, 0, 0, 12, 4, 8],
  '-': [0, 0, 0, 31, 0, 0, 0],
  '(': [2, 4, 8, 8, 8, 4, 2],
  ')': [8, 4, 2, 2, 2, 4, 8],
  '%': [24, 25, 2, 4, 8, 19, 3],
  ':': [0, 12, 12, 0, 12, 12, 0],
  ' ': [0, 0, 0, 0, 0, 0, 0],
};

class Raster {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.pixels = Buffer.alloc(width * height * 3, 255);
  }

  set(x, y, [r, g, b]) {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.pixels[i] = r;
    this.pixels[i + 1] = g;
    this.pixels[i + 2] = b;
  }

  line(x0, y0, x1, y1, color, thickness = 1) {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dx = -Math.floor(thickness / 2); dx <= Math.floor(thickness / 2); dx++) {
        for (let dy = -Math.floor(thickness / 2); dy <= Math.floor(thickness / 2); dy++) this.set(x + dx, y + dy, color);
      }
    }
  }

  text(x, y, str, color, scale = 2) {
    for (const ch of String(str).toLowerCase()) {
      const glyph = FONT[ch] ?? FONT[' '];
      glyph.forEach((row, gy) => {
        for (let gx = 0; gx < 5; gx++) {
          if (row & (1 << (4 - gx)))
            for (let sx = 0; sx < scale; sx++) for (let sy = 0; sy < scale; sy++) this.set(x + gx * scale + sx, y + gy * scale + sy, color);
        }
      });
      x += 6 * scale;
    }
  }

  png() {
    const raw = Buffer.alloc((this.width * 3 + 1) * this.height);
    for (let y = 0; y < this.height; y++) this.pixels.copy(raw, y * (this.width * 3 + 1) + 1, y * this.width * 3, (y + 1) * this.width * 3);
    const chunk = (type, data) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(body) : crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(this.width, 0);
    header.writeUInt32BE(this.height, 4);
    header[8] = 8; // bit depth
    header[9] = 2; // truecolour RGB
    return Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', header),
      chunk('IDAT', zlib.deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/**
 * Series of [x label, y value] drawn on a log-scale y axis (milliseconds).
 * `series`: [{ label, color: [r,g,b], dashed?, points: [[xLabel, yMs], …] }]
 */
function lineChart({ title, xTitle, yTitle, series, width = 900, height = 520 }) {
  const r = new Raster(width, height);
  const left = 90;
  const right = width - 230;
  const top = 70;
  const bottom = height - 70;
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))];
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values))));
  const xAt = (label) => left + ((right - left) * (xs.indexOf(label) + 0.5)) / xs.length;
  const yAt = (v) => bottom - ((bottom - top) * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const black = [0, 0, 0];
  const grey = [215, 215, 215];
  r.text(left, 10, title, black, 2);
  for (let v = lo; v <= hi; v *= 10) {
    r.line(left, yAt(v), right, yAt(v), grey);
    r.text(8, yAt(v) - 7, v >= 1000 ? `${v / 1000}s` : `${v}ms`, black, 2);
  }
  r.line(left, top, left, bottom, black, 2);
  r.line(left, bottom, right, bottom, black, 2);
  for (const label of xs) r.text(xAt(label) - String(label).length * 6, bottom + 12, label, black, 2);
  r.text(left + (right - left) / 2 - xTitle.length * 6, bottom + 40, xTitle, black, 2);
  r.text(8, top - 30, yTitle, black, 2);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p[1] > 0).map(([x, y]) => [xAt(x), yAt(y)]);
    for (let k = 1; k < pts.length; k++) {
      if (s.dashed) {
        const [x0, y0] = pts[k - 1];
        const [x1, y1] = pts[k];
        for (let t = 0; t < 1; t += 0.1) r.line(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, x0 + (x1 - x0) * (t + 0.05), y0 + (y1 - y0) * (t + 0.05), s.color, 3);
      } else r.line(pts[k - 1][0], pts[k - 1][1], pts[k][0], pts[k][1], s.color, 3);
    }
    for (const [x, y] of pts) r.line(x - 4, y, x + 4, y, s.color, 5);
    const ly = top + 10 + i * 30;
    if (s.dashed) for (let x = right + 20; x < right + 50; x += 10) r.line(x, ly, x + 5, ly, s.color, 3);
    else r.line(right + 20, ly, right + 50, ly, s.color, 3);
    r.text(right + 58, top + 3 + i * 30, s.label, black, 2);
  });
  return r.png();
}

module.exports = { lineChart };
