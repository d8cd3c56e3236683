/**
 * The definition editor's server side: the text parsed and its errors placed (line, localized wording), the line
 * diff against the published version, the form drawn per language by the apply pages' renderer, and the simulated
 * run. Pages call these; the checks themselves are the catalog's (`catalog.validate`, the same as POST /api/v1/definitions/validate).
 */
import { diffLines } from 'diff';
import { parseDefinitionText } from '../../definitions/index.js';
import { simulate, type SimulationStep } from '../../definitions/simulate.js';
import type { ServiceDefinition } from '../../domain/definition.js';
import { isOnevisitError, type Issue } from '../../domain/errors.js';
import { Locales, type Locale } from '../../domain/i18n.js';
import { formPreview } from '../form/preview.js';
import type { Schema } from '../form/schema.js';
import { MESSAGES, translator } from '../messages/index.js';
import { lineOfOffset, locatePointer } from './jsonLocate.js';

export interface EditorIssue {
  path: string;
  code: string;
  /** In the page's language, from the code. */
  text: string;
  /** The validator's own words (English, technical), shown beside. */
  detail: string;
  line?: number;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; issues: Issue[] };

export function parseText(text: string): Parsed {
  const parsed = parseDefinitionText(text);
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, issues: parsed.errors };
}

/** The wording of an issue code in `locale`, or the general one. */
export function issueText(code: string, locale: Locale): string {
  const table = MESSAGES[locale];
  return table[`admin.issue.${code}`] ?? table['admin.issue.fallback']!;
}

/** Every code the editor words, for the script (it words the live answers the same way). */
export function issueTable(locale: Locale): Record<string, string> {
  const table = MESSAGES[locale];
  return Object.fromEntries(Object.keys(table).filter((k) => k.startsWith('admin.issue.')).map((k) => [k.slice('admin.issue.'.length), table[k]!]));
}

export function placeIssues(text: string, issues: readonly Issue[], locale: Locale): EditorIssue[] {
  return issues.map((issue) => {
    let line: number | undefined;
    if (issue.code === 'JSON.MALFORMED') {
      const position = /position (\d+)/.exec(issue.message);
      const lineColumn = /line (\d+) column/.exec(issue.message);
      line = lineColumn ? Number(lineColumn[1]) : position ? lineOfOffset(text, Number(position[1])) : undefined;
    } else line = locatePointer(text, issue.path)?.line;
    return { path: issue.path, code: issue.code, text: issueText(issue.code, locale), detail: issue.message, ...(line ? { line } : {}) };
  });
}

/** The definition as the editor shows it and the diff compares it: two-space pretty JSON. */
export const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export interface DiffRow {
  kind: 'same' | 'added' | 'removed' | 'gap';
  oldLine?: number;
  newLine?: number;
  text: string;
}

const CONTEXT = 3;

/** A line diff (`diff`'s diffLines) with long unchanged runs folded to three lines of context on each side. */
export function lineDiff(before: string, after: string): { rows: DiffRow[]; added: number; removed: number } {
  const rows: DiffRow[] = [];
  let oldLine = 1;
  let newLine = 1;
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.added) {
      for (const text of lines) rows.push({ kind: 'added', newLine: newLine++, text });
      added += lines.length;
    } else if (part.removed) {
      for (const text of lines) rows.push({ kind: 'removed', oldLine: oldLine++, text });
      removed += lines.length;
    } else {
      lines.forEach((text, i) => {
        const keep = i < CONTEXT || i >= lines.length - CONTEXT;
        if (keep) rows.push({ kind: 'same', oldLine, newLine, text });
        else if (rows.at(-1)?.kind !== 'gap') rows.push({ kind: 'gap', text: '' });
        oldLine++;
        newLine++;
      });
    }
  }
  return { rows, added, removed };
}

/** The form as a citizen sees it on an empty form, in every language, for the preview's tabs. */
export function formPreviews(form: Schema) {
  return Locales.map((locale) => ({ locale, sections: formPreview(form, { locale, t: translator(locale) }, `preview-${locale}`) }));
}

export type Simulation = { ok: true; steps: SimulationStep[]; final: string } | { ok: false; reason: 'noExample' | 'exampleInvalid' | 'failed'; detail: string };

/** What `onevisit simulate` prints, for a definition that passed validation. */
export function simulation(definition: ServiceDefinition): Simulation {
  try {
    return { ok: true, ...simulate(definition) };
  } catch (error) {
    if (isOnevisitError(error, 'INPUT.INVALID')) return { ok: false, reason: 'noExample', detail: error.message };
    if (isOnevisitError(error, 'FORM.INVALID')) return { ok: false, reason: 'exampleInvalid', detail: error.message };
    return { ok: false, reason: 'failed', detail: (error as Error).message };
  }
}
