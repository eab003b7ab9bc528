/** Shared by the app package tests: where things are, sample values, a PNG decoder. */
import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The ES module `strip-bom` that @microsoft/app-manifest requires: jest's module registry cannot load it (Node
 * 20.19+ can), so the tests that validate mock it with `stripBom` below:
 *   jest.mock(require('./helpers').STRIP_BOM, () => require('./helpers').stripBom);
 */
export const STRIP_BOM = require.resolve('strip-bom', { paths: [path.dirname(require.resolve('@microsoft/app-manifest'))] });
export const stripBom = { __esModule: true, default: (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s) };
export const APP_PACKAGE = path.join(ROOT, 'appPackage');

/** What an environment provides: obviously fake ids, a domain that is not ours. */
export const SAMPLE_VARS: Readonly<Record<string, string>> = Object.freeze({
  TEAMS_APP_ID: '0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3',
  BOT_ID: '1c2d3e4f-5061-4b7c-9d8e-9fa0b1c2d3e4',
  AAD_APP_CLIENT_ID: '2d3e4f50-6172-4c8d-ae9f-a0b1c2d3e4f5',
  BOT_DOMAIN: 'partner-ops.example.net',
  APP_NAME_SUFFIX: ' (dev)',
});

export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(APP_PACKAGE, file), 'utf8'));
}

export function readText(file: string): string {
  return fs.readFileSync(path.join(APP_PACKAGE, file), 'utf8');
}

let assembledTexts: Map<string, string> | undefined;
/**
 * A package file as `npm run package` assembles it from the template, the command registry and the catalogs
 * (placeholders kept): what Teams reads, where readJson gives the template.
 */
export function assembledText(file: string): string {
  // Required here, not imported: the helpers stay loadable before a test mocks strip-bom (package-app loads it).
  const { assembleAppPackage } = require('../../scripts/package-app') as typeof import('../../scripts/package-app');
  const { productMenu } = require('../../scripts/manifest-commands') as typeof import('../../scripts/manifest-commands');
  assembledTexts ??= assembleAppPackage(APP_PACKAGE, productMenu()).texts;
  const text = assembledTexts.get(file);
  if (text === undefined) throw new Error(`${file} is not a file of the package`);
  return text;
}

export function assembledJson(file: string): any {
  return JSON.parse(assembledText(file));
}

export interface DecodedPng {
  width: number;
  height: number;
  colorType: number;
  /** RGBA, 4 bytes per pixel, row by row. */
  rgba: Buffer;
}

/**
 * Decodes an 8-bit, non-interlaced PNG of color type 0 (grey), 2 (RGB), 4 (grey+alpha) or 6 (RGBA): checks
 * the signature, concatenates the IDAT chunks, inflates them and undoes each scanline's filter.
 */
export function decodePng(data: Buffer): DecodedPng {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!data.subarray(0, 8).equals(signature)) throw new Error('not a PNG');
  let p = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let interlace = 0;
  const idat: Buffer[] = [];
  while (p < data.length) {
    const length = data.readUInt32BE(p);
    const type = data.toString('latin1', p + 4, p + 8);
    const body = data.subarray(p + 8, p + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      bitDepth = body[8]!;
      colorType = body[9]!;
      interlace = body[12]!;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    p += 12 + length;
  }
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) {
    throw new Error(`unsupported PNG: bit depth ${bitDepth}, color type ${colorType}, interlace ${interlace}`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels]! : 0;
      const b = prev[x]!;
      const c = x >= channels ? prev[x - channels]! : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: {
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      out[x] = (line[x]! + predictor) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = pixels.subarray(i * channels, (i + 1) * channels);
    const [r, g, b, alpha] =
      channels === 1 ? [s[0]!, s[0]!, s[0]!, 255] : channels === 2 ? [s[0]!, s[0]!, s[0]!, s[1]!] : channels === 3 ? [s[0]!, s[1]!, s[2]!, 255] : [s[0]!, s[1]!, s[2]!, s[3]!];
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    rgba[i * 4 + 3] = alpha;
  }
  return { width, height, colorType, rgba };
}
