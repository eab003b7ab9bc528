/** The app icons Teams requires: color 192x192 full bleed and opaque, outline 32x32 white on transparent. */
import fs from 'node:fs';
import path from 'node:path';
import { APP_PACKAGE, decodePng, readJson } from './helpers';

const manifest = readJson('manifest.json');
const png = (file: string) => decodePng(fs.readFileSync(path.join(APP_PACKAGE, file)));

describe('color.png', () => {
  const icon = png(manifest.icons.color);

  it('is 192x192 and fully opaque', () => {
    expect([icon.width, icon.height]).toEqual([192, 192]);
    let transparent = 0;
    for (let i = 3; i < icon.rgba.length; i += 4) if (icon.rgba[i] !== 255) transparent++;
    expect(transparent).toBe(0);
  });

  it('is a white mark on the accent color, not a blank square', () => {
    const at = (x: number, y: number) => [...icon.rgba.subarray((y * 192 + x) * 4, (y * 192 + x) * 4 + 3)];
    // Corners are the background, blue like the accent color.
    for (const [x, y] of [[0, 0], [191, 0], [0, 191], [191, 191]] as const) {
      const [r, g, b] = at(x, y);
      expect(b!).toBeGreaterThan(r! + 60);
      expect(b!).toBeGreaterThan(g!);
    }
    let white = 0;
    for (let i = 0; i < icon.rgba.length; i += 4) if (icon.rgba[i]! > 245 && icon.rgba[i + 1]! > 245 && icon.rgba[i + 2]! > 245) white++;
    const share = white / (192 * 192);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.5);
  });
});

describe('outline.png', () => {
  const icon = png(manifest.icons.outline);

  it('is 32x32 with an alpha channel', () => {
    expect([icon.width, icon.height]).toEqual([32, 32]);
    expect(icon.colorType === 4 || icon.colorType === 6).toBe(true);
  });

  it('has only white and transparent pixels, and draws something', () => {
    let drawn = 0;
    let transparent = 0;
    for (let i = 0; i < icon.rgba.length; i += 4) {
      const [r, g, b, a] = [icon.rgba[i]!, icon.rgba[i + 1]!, icon.rgba[i + 2]!, icon.rgba[i + 3]!];
      if (a === 0) {
        transparent++;
        continue;
      }
      expect([r, g, b]).toEqual([255, 255, 255]);
      if (a === 255) drawn++;
    }
    expect(drawn).toBeGreaterThan(100);
    expect(transparent).toBeGreaterThan(200);
    // The border is transparent: the glyph does not touch the edges' corners.
    for (const i of [0, 31, 32 * 31, 32 * 32 - 1]) expect(icon.rgba[i * 4 + 3]).toBe(0);
  });
});

describe('icon sources', () => {
  it('are committed next to the PNGs', () => {
    for (const f of ['color.svg', 'outline.svg']) expect(fs.existsSync(path.join(APP_PACKAGE, 'icons-src', f))).toBe(true);
  });
});
