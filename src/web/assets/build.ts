/**
 * Builds the pages' assets into dist/web-assets at `npm run build`: the stylesheet compiled from
 * assets/onevisit.scss (govuk-frontend with onevisit's fonts and colours), govuk-frontend's script, and
 * onevisit's own small scripts. Run from the compiled tree: `node dist/src/web/assets/build.js`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

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
console.log(`web assets built in ${path.relative(root, out)}`);
