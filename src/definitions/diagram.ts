/**
 * The compiled machine as a Mermaid `stateDiagram-v2`: what the admin editor and the service guide draw.
 * Mermaid cannot draw an edge between states inside different composite states, so every edge is drawn
 * between the children of its source's and target's lowest common ancestor.
 */
import type { AnyStateNode } from 'xstate';
import type { CompiledService } from './compile.js';

interface Edge {
  from: string;
  to: string;
  label: string;
}

const DONE_PREFIX = 'xstate.done.state.';

export function toMermaid(compiled: CompiledService): string {
  const root = compiled.machine.root as AnyStateNode;
  const edges = new Map<AnyStateNode, Edge[]>();
  const addEdge = (block: AnyStateNode, edge: Edge) => {
    const list = edges.get(block) ?? [];
    if (!list.some((e) => e.from === edge.from && e.to === edge.to && e.label === edge.label)) list.push(edge);
    edges.set(block, list);
  };

  const visit = (node: AnyStateNode) => {
    const transitions = [...node.transitions.values()].flat();
    for (const transition of [...transitions, ...(node.always ?? [])]) {
      for (const target of transition.target ?? []) {
        const [block, from, to] = lift(node, target);
        addEdge(block, { from: nodeId(from), to: nodeId(to), label: labelOf(transition, node, from) });
      }
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(root);

  const lines = ['stateDiagram-v2'];
  const render = (node: AnyStateNode, depth: number) => {
    const pad = '  '.repeat(depth);
    const children = Object.values(node.states);
    if (node.type === 'compound' || node === root) {
      const initial = node.initial?.target?.[0];
      if (initial) lines.push(`${pad}[*] --> ${nodeId(initial)}`);
    }
    children.forEach((child, index) => {
      if (node.type === 'parallel' && index > 0) lines.push(`${pad}--`);
      const label = child.key;
      if (child.type === 'compound' || child.type === 'parallel') {
        lines.push(`${pad}state "${label}" as ${nodeId(child)} {`);
        render(child, depth + 1);
        lines.push(`${pad}}`);
      } else {
        lines.push(`${pad}state "${label}" as ${nodeId(child)}`);
        if (child.type === 'final') lines.push(`${pad}${nodeId(child)} --> [*]`);
      }
    });
    for (const edge of edges.get(node) ?? []) {
      lines.push(`${pad}${edge.from} --> ${edge.to}${edge.label ? ` : ${edge.label}` : ''}`);
    }
  };
  render(root, 1);
  return lines.join('\n') + '\n';
}

function nodeId(node: AnyStateNode): string {
  return node.path.length === 0 ? 'root' : node.path.join('__').replace(/[^A-Za-z0-9_]/g, '_');
}

function ancestors(node: AnyStateNode): AnyStateNode[] {
  const chain: AnyStateNode[] = [];
  for (let n: AnyStateNode | undefined = node; n; n = n.parent) chain.unshift(n);
  return chain;
}

/** The lowest common ancestor of source and target, and the children of it that hold each. */
function lift(source: AnyStateNode, target: AnyStateNode): [AnyStateNode, AnyStateNode, AnyStateNode] {
  const a = ancestors(source);
  const b = ancestors(target);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length || i === b.length) {
    // One holds the other: a re-entry, drawn as a loop on the outer of the two.
    const outer = i === a.length ? source : target;
    return [outer.parent ?? outer, outer, outer];
  }
  return [a[i - 1]!, a[i]!, b[i]!];
}

function labelOf(transition: { eventType: string; guard?: unknown }, source: AnyStateNode, drawnFrom: AnyStateNode): string {
  let event = transition.eventType;
  if (event.startsWith(DONE_PREFIX)) event = 'all decided';
  const parts = [event];
  if (source !== drawnFrom && source.path.length > drawnFrom.path.length + 1) parts.push(`(${source.path[drawnFrom.path.length]})`);
  const guard = guardLabel(transition.guard);
  if (guard) parts.push(`[${guard}]`);
  return parts.filter(Boolean).join(' ').replace(/:/g, ' ');
}

function guardLabel(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return guard;
  if (guard && typeof guard === 'object' && 'type' in guard) {
    const { type, params } = guard as { type: string; params?: Record<string, unknown> };
    const detail = params ? Object.values(params).join(' ') : '';
    return detail ? `${type} ${detail}` : type;
  }
  const composite = (guard as { guards?: unknown[] } | undefined)?.guards;
  if (Array.isArray(composite)) return composite.map(guardLabel).join(' and ');
  return 'when';
}
