/**
 * `npm run manifest`: writes the Teams app package's files as templates (manifest.json with the command menu
 * generated from the registry and the catalogs, its localization files, the icons; `${{VAR}}` placeholders
 * kept) to appPackage/build/app/. The Agents Toolkit's validateManifest and zipAppPackage steps read that
 * folder (m365agents.yml), so the toolkit's package has the same command menu as `npm run package`'s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { productMenu } from './manifest-commands';
import { assembleAppPackage, PackageError } from './package-app';

/** Writes the assembled files into `outDir` (emptied first) and returns their names, manifest first. */
export function writeAssembledApp(appPackageDir: string, outDir: string, source = productMenu()): string[] {
  const { texts, icons } = assembleAppPackage(appPackageDir, source);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const [file, text] of texts) fs.writeFileSync(path.join(outDir, file), text);
  for (const [, file] of icons) {
    // The manifest names the icons: a path out of appPackage/ would copy any file of the machine.
    if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) throw new PackageError(`${file}: must be a path inside appPackage/`, []);
    fs.copyFileSync(path.join(appPackageDir, file), path.join(outDir, file));
  }
  return [...texts.keys(), ...icons.map(([, file]) => file)];
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'appPackage')) ? '' : '..');
  const appPackageDir = path.join(root, 'appPackage');
  try {
    const files = writeAssembledApp(appPackageDir, path.join(appPackageDir, 'build', 'app'));
    process.stdout.write(`✔ appPackage/build/app/: ${files.join(', ')}\n`);
  } catch (e) {
    process.stderr.write(`✘ ${e instanceof PackageError ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
