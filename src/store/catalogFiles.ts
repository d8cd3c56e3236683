/**
 * Reading the catalog from the project's files: the definition language's schema, departments,
 * certificate types and the service definitions in workflows/, where the certificate templates are, and the
 * list of common passwords. The one place that knows the project's folders; main.ts hands on what it found.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  catalogContext,
  parseCertificateTypes,
  parseDepartments,
  type CertificateType,
  type Department,
} from '../definitions/index.js';
import type { CatalogContext } from '../domain/definition.js';
import type { TemplateSource } from '../certificates/ports.js';
import { parseCalendarData, type CalendarData } from '../domain/calendar.js';

/** The folder holding package.json, workflows/ and schemas/ (found from this file, wherever it was built to). */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'schemas'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the onevisit project root (package.json beside schemas/)');
    dir = parent;
  }
}

export interface Catalog {
  definitionSchema: object;
  departments: Department[];
  certificateTypes: CertificateType[];
  context: CatalogContext;
  /** The service definition files of workflows/ (not yet parsed: validation reports their errors). */
  definitionFiles: string[];
  /** templates/: the certificate template files, by template id, and the schema they are checked against. */
  templates: TemplateSource;
  templateIds: string[];
  /** workflows/calendars: the working-day calendars shipped with the product (admins' edits in the database win). */
  calendars: CalendarData[];
  /** lists/common-passwords.txt: the passwords the password rule refuses. */
  commonPasswordsFile: string;
}

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The certificate fields a template file shows, read without checking it (templates are checked when loaded). */
function shownFields(template: unknown): string[] {
  const { header, fields } = (typeof template === 'object' && template !== null ? template : {}) as { header?: unknown; fields?: unknown };
  return [header, fields].flatMap((items) => (Array.isArray(items) ? items : [])).flatMap((item: { name?: unknown }) => (typeof item?.name === 'string' ? [item.name] : []));
}

export function readCatalog(root = projectRoot()): Catalog {
  const workflows = path.join(root, 'workflows');
  const departments = parseDepartments(readJson(path.join(workflows, 'departments.json')));
  const certificateTypes = parseCertificateTypes(readJson(path.join(workflows, 'certificate-types.json')));
  const definitionFiles = fs
    .readdirSync(workflows)
    .filter((name) => name.endsWith('.json') && name !== 'departments.json' && name !== 'certificate-types.json')
    .sort()
    .map((name) => path.join(workflows, name));
  const templatesDir = path.join(root, 'templates');
  const templateIds = fs.existsSync(templatesDir)
    ? fs.readdirSync(templatesDir).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)).sort()
    : [];
  const calendarsDir = path.join(workflows, 'calendars');
  const calendars = fs.existsSync(calendarsDir)
    ? fs.readdirSync(calendarsDir).filter((name) => name.endsWith('.json')).sort().map((name) => parseCalendarData(readJson(path.join(calendarsDir, name))))
    : [];
  return {
    definitionSchema: readJson(path.join(root, 'schemas', 'service-definition.schema.json')) as object,
    departments,
    certificateTypes,
    // Once templates exist, a definition naming one that does not is invalid.
    context: catalogContext(departments, certificateTypes, templateIds.length > 0 ? templateIds.map((id) => [id, shownFields(readJson(path.join(templatesDir, `${id}.json`)))] as const) : undefined),
    definitionFiles,
    templates: { dir: templatesDir, schemaFile: path.join(root, 'schemas', 'certificate-template.schema.json') },
    templateIds,
    calendars,
    commonPasswordsFile: path.join(root, 'lists', 'common-passwords.txt'),
  };
}
