// The definition editor's enhancement (bundled by build.ts into /assets/editor.js with CodeMirror 6 and, loaded
// when first needed, mermaid 11). Without it the page is a textarea with Check and Publish buttons that work.
// With it: CodeMirror in place of the textarea (kept in step, so the same buttons still post it), validation as you
// type through POST /api/v1/definitions/validate (the session's CSRF token in X-CSRF-Token), problems listed with
// their JSON Pointer paths that move the cursor to the place, and the state diagram redrawn from the answer.
// Every text from the definition or the server is put in with textContent; mermaid runs with securityLevel strict.
import { EditorView, basicSetup } from 'codemirror';
import { json } from '@codemirror/lang-json';
import { locatePointer } from '../admin/jsonLocate.ts';

const root = document.getElementById('editor');
const textarea = document.getElementById('definition');
const host = document.getElementById('code-editor');
if (root && textarea && host) start();

function start() {
  const messages = JSON.parse(root.dataset.messages || '{}');
  const labels = JSON.parse(root.dataset.labels || '{}');
  const csrf = root.dataset.csrf || '';
  const url = root.dataset.validateUrl;
  const status = document.getElementById('editor-status');
  const problems = document.getElementById('problems');
  const list = document.getElementById('problem-list');
  const mermaidBox = document.getElementById('mermaid-diagram');
  const mermaidSource = document.getElementById('mermaid-source');
  const mermaidDetails = document.getElementById('mermaid-details');
  const form = document.getElementById('editor-form');
  const fill = (template, params) => template.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : String(params[name])));

  const view = new EditorView({
    doc: textarea.value,
    parent: host,
    extensions: [
      basicSetup,
      json(),
      EditorView.lineWrapping,
      // an explicit tabindex tells checkers the scrolling editor can be reached by keyboard (it already is)
      EditorView.contentAttributes.of({ 'aria-label': labels.editorLabel || 'JSON', 'aria-describedby': 'definition-hint', tabindex: '0' }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        schedule();
      }),
    ],
  });
  textarea.hidden = true;
  host.hidden = false;
  root.classList.add('ov-editor--enhanced');
  form?.addEventListener('submit', () => {
    textarea.value = view.state.doc.toString();
  });

  // A problem's link moves the cursor to the value its path names (or the nearest part of it that exists).
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[data-path], a[data-offset]') : null;
    if (!link || !root.contains(link)) return;
    event.preventDefault();
    const text = view.state.doc.toString();
    let from;
    let to;
    if (link.dataset.offset !== undefined) {
      from = to = Math.min(Number(link.dataset.offset), text.length);
    } else {
      const span = locatePointer(text, link.dataset.path || '');
      if (!span) return;
      ({ from, to } = span);
    }
    view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
    view.focus();
  });

  let timer;
  let generation = 0;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  }

  async function check() {
    const run = ++generation;
    const text = view.state.doc.toString();
    setStatus('checking');
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const message = String(error && error.message);
      const position = /position (\d+)/.exec(message);
      const lineColumn = /line (\d+) column (\d+)/.exec(message);
      let offset;
      if (position) offset = Number(position[1]);
      else if (lineColumn) offset = view.state.doc.line(Math.min(Number(lineColumn[1]), view.state.doc.lines)).from + Number(lineColumn[2]) - 1;
      show([{ path: '', code: 'JSON.MALFORMED', message, offset }], null);
      return;
    }
    void parsed;
    try {
      const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' }, body: text });
      const body = await response.json().catch(() => ({}));
      if (run !== generation) return;
      if (response.ok) show(body.errors || [], body.valid ? body.diagram : null);
      else if (Array.isArray(body.errors) && body.errors.length > 0) show(body.errors, null);
      else setStatus('failed');
    } catch {
      if (run === generation) setStatus('failed');
    }
  }

  function setStatus(kind, count) {
    status.textContent = '';
    const tag = document.createElement('strong');
    tag.className = `govuk-tag ${kind === 'valid' ? 'govuk-tag--green' : kind === 'invalid' ? 'govuk-tag--red' : 'govuk-tag--grey'}`;
    tag.textContent = kind === 'invalid' ? fill(labels.invalid, { count }) : labels[kind];
    status.append(tag);
  }

  function lineOf(text, offset) {
    return text.slice(0, offset).split('\n').length;
  }

  function show(errors, diagram) {
    // The server's error summary described the text as it was posted; the live list replaces it.
    document.querySelector('.govuk-error-summary')?.remove();
    document.getElementById('definition-error')?.remove();
    document.getElementById('definition-group')?.classList.remove('govuk-form-group--error');
    const text = view.state.doc.toString();
    list.textContent = '';
    errors.forEach((issue, i) => {
      const item = document.createElement('li');
      item.id = `issue-${i}`;
      item.dataset.code = issue.code;
      const link = document.createElement('a');
      link.className = 'govuk-link';
      link.href = '#definition';
      const code = document.createElement('code');
      code.className = 'ov-path';
      code.textContent = issue.path || '/';
      link.append(code);
      let line;
      if (issue.offset !== undefined) {
        link.dataset.offset = String(issue.offset);
        line = lineOf(text, issue.offset);
      } else {
        link.dataset.path = issue.path || '';
        line = locatePointer(text, issue.path || '')?.line;
      }
      if (line) link.append(` (${fill(labels.line, { line })})`);
      const detail = document.createElement('span');
      detail.className = 'govuk-body-s ov-muted ov-detail';
      detail.textContent = issue.message || '';
      item.append(link, ` — ${messages[issue.code] || messages.fallback || ''} `, detail);
      list.append(item);
    });
    problems.hidden = errors.length === 0;
    setStatus(errors.length === 0 ? 'valid' : 'invalid', errors.length);
    if (diagram) void draw(diagram);
  }

  let mermaidModule;
  let drawing = 0;
  async function draw(source, initial = false) {
    const run = ++drawing;
    mermaidSource.textContent = source;
    mermaidDetails.hidden = false;
    try {
      if (!mermaidModule) {
        mermaidModule = (await import('mermaid')).default;
        mermaidModule.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', fontFamily: 'Noto Sans SC, Noto Sans CJK SC, sans-serif' });
      }
      const { svg } = await mermaidModule.render(`mermaid-svg-${run}`, source);
      if (run !== drawing) return;
      const figure = document.createElement('figure');
      figure.className = 'ov-mermaid__figure';
      const holder = document.createElement('div');
      // mermaid's own output, sanitised by it under securityLevel "strict"
      holder.innerHTML = svg;
      const picture = holder.querySelector('svg');
      if (picture) {
        picture.setAttribute('role', 'img');
        picture.setAttribute('aria-label', labels.diagram || 'diagram');
        // Drawn to the column's width but never below half its own size; wider than that, the box scrolls.
        const box = picture.viewBox && picture.viewBox.baseVal;
        if (box && box.width > 0) {
          const width = Math.ceil(Math.min(box.width, Math.max(mermaidBox.clientWidth || 900, box.width / 2)));
          picture.style.maxWidth = 'none';
          picture.setAttribute('width', String(width));
          picture.setAttribute('height', String(Math.ceil((box.height * width) / box.width)));
        }
      }
      holder.className = 'ov-mermaid__scroll';
      holder.tabIndex = 0;
      holder.setAttribute('role', 'region');
      holder.setAttribute('aria-label', labels.diagram || 'diagram');
      const caption = document.createElement('figcaption');
      caption.className = 'govuk-body-s';
      caption.textContent = labels.diagram || '';
      figure.append(holder, caption);
      mermaidBox.replaceChildren(figure);
      mermaidBox.hidden = false;
      mermaidBox.dataset.drawn = String(run);
      // The server's flow picture shows the text as it was loaded: once the text changed, only the live one is true.
      if (!initial) document.getElementById('flow-figure')?.setAttribute('hidden', '');
      document.getElementById('diagram-none')?.setAttribute('hidden', '');
    } catch (error) {
      // The source stays readable in the details below.
      console.warn('diagram not drawn', error);
    }
  }

  // The page as posted may already hold a valid definition: draw its diagram at once.
  if (mermaidSource && mermaidSource.textContent.trim() !== '') void draw(mermaidSource.textContent, true);
}
