/**
 * Pages are nunjucks templates under src/web/views, with govuk-frontend's component macros on the search path.
 * Autoescaping is on: every value a template prints is escaped unless it is marked safe, which only markup built
 * here from escaped parts (the flow diagram, the charts) ever is. User data never goes to a macro's `html`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { chinaDate } from '../domain/time.js';

/** The project's root: from dist/src/web (compiled) three levels up. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const viewsDir = path.join(projectRoot, 'src/web/views');
export const assetsDir = path.join(projectRoot, 'dist/web-assets');

export interface Renderer {
  render(view: string, context: object): string;
}

export function createRenderer({ watch = false }: { watch?: boolean } = {}): Renderer {
  const loader = new nunjucks.FileSystemLoader([viewsDir, path.join(projectRoot, 'node_modules/govuk-frontend/dist')], { noCache: watch });
  const env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
  env.addFilter('day', (iso: unknown) => (typeof iso === 'string' && iso !== '' ? chinaDate(iso) : ''));
  // Parameters of a macro merged with shared ones (e.g. the password input's texts in the page's language).
  env.addFilter('combine', (base: object, own: object) => ({ ...base, ...own }));
  env.addFilter('json', (value: unknown) => JSON.stringify(value, null, 2));
  return {
    render: (view, context) => env.render(view, context),
  };
}
