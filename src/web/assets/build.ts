/**
 * Builds the pages' assets into dist/web-assets at `npm run build`: the stylesheet compiled from
 * assets/onevisit.scss (govuk-frontend with onevisit's fonts and colours), govuk-frontend's script, and
 * onevisit's own small scripts. Run from the compiled tree: `node dist/src/web/assets/build.js`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const source = path.join(root, 'src/web/assets');
const out = path.join(root, 'dist/web-assets');
const govuk = path.join(root, 'node_modules/govuk-frontend/dist/govuk');

fs.mkdirSync(out, { recursive: true });
const css = sass.compile(path.join(source, 'onevisit.scss'), { loadPaths: [path.join(root, 'node_modules')], style: 'compressed', quietDeps: true, silenceDeprecations: ['import', 'global-builtin', 'color-functions', 'slash-div'] });
fs.writeFileSync(path.join(out, 'onevisit.css'), css.css);
fs.copyFileSync(path.join(govuk, 'govuk-frontend.min.js'), path.join(out, 'govuk-frontend.min.js'));
for (const file of fs.readdirSync(source)) {
  if (file.endsWith(".js") || file.endsWith(".svg")) fs.copyFileSync(path.join(source, file), path.join(out, file));
}
// The admin editor: CodeMirror 6 and its JSON language bundled into editor.js; mermaid, which only the editor's
// diagram needs, split into chunks/ and loaded when first drawn.
fs.rmSync(path.join(out, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { editor: path.join(source, 'editor.mjs') },
  bundle: true,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outdir: out,
  minify: true,
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`web assets built in ${path.relative(root, out)}`);
