// Builds the control panel into a directory of static files that the server embeds
// (src/panel/CMakeLists.txt runs this, then the embed tool):
//
//   OUTDIR/index.html                   the page (no-cache: it names the hashed files below)
//   OUTDIR/assets/app-<hash>.js         the bundle (TypeScript + Preact, minified ES module)
//   OUTDIR/assets/app-<hash>.css        the styles
//   OUTDIR/assets/favicon-<hash>.svg    the icon
//   OUTDIR/licenses.txt                 third-party licence texts (Preact, MIT)
//
// Usage: node build.mjs --outdir DIR [--stamp FILE]
// Deterministic: the same sources give the same bytes (hashes are of the content). OUTDIR is
// emptied first, so no stale file is ever embedded. Prints the sizes (raw and gzip). --stamp names
// a file written last, for build systems that need one known output.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

function argument(name) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const outdir = path.resolve(argument('--outdir') ?? path.join(here, 'dist'));
const stamp = argument('--stamp');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('panel build: esbuild is not installed in web/node_modules; run scripts/setup ' +
    '(it runs npm ci in web/)');
  process.exit(1);
}

fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(path.join(outdir, 'assets'), { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome111', 'firefox115', 'safari16.4'],
  outdir: path.join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  charset: 'utf8',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.resolve(here, p));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (!js || !css) {
  console.error('panel build: esbuild produced no .js or no .css');
  process.exit(1);
}

const contentHash = (bytes) =>
  crypto.createHash('sha256').update(bytes).digest('base64url').slice(0, 10);

const favicon = fs.readFileSync(path.join(here, 'src/favicon.svg'));
const faviconName = `favicon-${contentHash(favicon)}.svg`;
fs.writeFileSync(path.join(outdir, 'assets', faviconName), favicon);

const template = fs.readFileSync(path.join(here, 'src/index.html'), 'utf8');
const html = template
  .replace('{{APP_JS}}', `/assets/${path.basename(js)}`)
  .replace('{{APP_CSS}}', `/assets/${path.basename(css)}`)
  .replace('{{FAVICON}}', `/assets/${faviconName}`);
if (html.includes('{{')) {
  console.error('panel build: src/index.html has a placeholder this script does not fill');
  process.exit(1);
}
fs.writeFileSync(path.join(outdir, 'index.html'), html);

const preactLicense = fs.readFileSync(path.join(here, 'node_modules/preact/LICENSE'), 'utf8');
fs.writeFileSync(path.join(outdir, 'licenses.txt'),
  'The voxsecrets control panel bundles Preact (https://preactjs.com):\n\n' + preactLicense);

let rawTotal = 0;
let gzipTotal = 0;
const lines = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(full);
      continue;
    }
    const bytes = fs.readFileSync(full);
    const gz = zlib.gzipSync(bytes, { level: 9 }).length;
    rawTotal += bytes.length;
    gzipTotal += gz;
    lines.push(`  ${path.relative(outdir, full).padEnd(34)} ${String(bytes.length).padStart(7)} B` +
      ` ${String(gz).padStart(7)} B gzip`);
  }
};
walk(outdir);
lines.sort();
console.log(`panel build: ${outdir}\n${lines.join('\n')}\n  ${'total'.padEnd(34)} ` +
  `${String(rawTotal).padStart(7)} B ${String(gzipTotal).padStart(7)} B gzip`);

if (stamp) fs.writeFileSync(stamp, `${rawTotal}\n`);
