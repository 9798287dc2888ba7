// Lays out a staged npm package the napi-rs way: `napi create-npm-dirs` writes one package
// per target of package.json's `napi.targets` (npm/<platform>/), this puts each built addon
// in its package and names the platform packages as optional dependencies of the main one,
// so `npm install poci` fetches only the addon of the user's platform.
//
// node packaging/npm-platform.mjs STAGE ADDON.node...
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [stage, ...addons] = process.argv.slice(2);
if (!stage || addons.length === 0) {
  console.error('usage: node packaging/npm-platform.mjs STAGE ADDON.node...');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const napi = join(root, 'bindings', 'node', 'node_modules', '.bin', 'napi');
execFileSync(napi, ['create-npm-dirs', '--cwd', stage], { stdio: 'ignore' });

const mainPath = join(stage, 'package.json');
const main = JSON.parse(readFileSync(mainPath, 'utf8'));
main.optionalDependencies = {};
for (const addon of addons) {
  // poci.linux-x64-gnu.node -> npm/linux-x64-gnu/
  const platform = basename(addon).replace(/^[^.]+\./, '').replace(/\.node$/, '');
  const dir = join(stage, 'npm', platform);
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) {
    console.error(`${addon}: no platform package ${platform} among package.json's napi.targets`);
    process.exit(1);
  }
  copyFileSync(addon, join(dir, basename(addon)));
  for (const licence of ['LICENSE-APACHE', 'LICENSE-MIT']) {
    copyFileSync(join(stage, licence), join(dir, licence));
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const key of ['repository', 'homepage', 'keywords']) {
    if (main[key] !== undefined) manifest[key] = main[key];
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  main.optionalDependencies[manifest.name] = manifest.version;
}
// The published main package carries no addon and no build tooling.
delete main.devDependencies;
delete main.scripts;
main.files = main.files.filter((pattern) => !pattern.endsWith('.node'));
writeFileSync(mainPath, `${JSON.stringify(main, null, 2)}\n`);
