/**
 * The profile's state diagram (§7) as inline SVG: states laid out left to right by their longest
 * distance from creation, each transition drawn and coloured by its coverage status. Nothing about
 * SAV FTTH is hard-coded: states and transitions come from the profile.
 */
import type { Profile, TransitionDef } from '../../profile/index.ts';
import type { CoverageItem } from '../../scenario/result.ts';
import { escapeAttr, escapeText } from '../escape.ts';
import { COVERAGE_TITLE, type CoverageStatus, coverageStatus } from '../model.ts';

const INITIAL = '\u0000initial';
const CHAR_W = 7.4;
const NODE_H = 34;
const GAP = 74;
const LOOP_H = 42;

interface Node {
  id: string;
  label: string;
  final: boolean;
  rank: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Edge {
  t: TransitionDef;
  from: string;
  to: string;
  status: CoverageStatus;
}

const fmt = (n: number) => String(Math.round(n * 10) / 10);

export function stateDiagram(profile: Profile, coverage: CoverageItem[]): string {
  const byId = new Map(coverage.map((c) => [c.id, c]));
  const stateNames = new Set(profile.states.filter((s) => !s.legacy).map((s) => s.name));
  const edges: Edge[] = [];
  for (const t of profile.transitions) {
    const status = coverageStatus(byId.get(t.id));
    for (const from of t.from ?? [INITIAL]) {
      const to = t.to === 'unchanged' ? from : t.to;
      if (from !== INITIAL) stateNames.add(from);
      stateNames.add(to);
      edges.push({ t, from, to, status });
    }
  }
  const loopCount = new Map<string, number>();
  for (const e of edges) if (e.from === e.to) loopCount.set(e.from, (loopCount.get(e.from) ?? 0) + 1);
  const order = [INITIAL, ...profile.states.map((s) => s.name).filter((n) => stateNames.has(n))];
  for (const n of stateNames) if (!order.includes(n)) order.push(n);
  const rank = ranks(order, edges);
  const nodes = new Map<string, Node>();
  for (const id of order) {
    const def = profile.states.find((s) => s.name === id);
    const isInitial = id === INITIAL;
    const w = isInitial ? 16 : Math.max(96, id.length * CHAR_W + 28, (loopCount.get(id) ?? 0) * 44 + 48);
    nodes.set(id, {
      id,
      label: isInitial ? '' : id,
      final: def?.final === true,
      rank: rank.get(id) ?? 0,
      x: 0,
      y: 0,
      w,
      h: isInitial ? 16 : NODE_H,
    });
  }
  // Columns by rank, rows inside a column.
  const columns: Node[][] = [];
  for (const n of nodes.values()) {
    columns[n.rank] ??= [];
    columns[n.rank]!.push(n);
  }
  let x = 20;
  for (const col of columns) {
    if (!col) continue;
    const width = Math.max(...col.map((n) => n.w));
    col.forEach((n, i) => {
      n.x = x + width / 2;
      n.y = (i - (col.length - 1) / 2) * (NODE_H + 90);
    });
    x += width + GAP;
  }

  const box = { minX: 0, minY: -NODE_H, maxX: x - GAP + 20, maxY: NODE_H };
  const grow = (px: number, py: number) => {
    box.minX = Math.min(box.minX, px - 10);
    box.maxX = Math.max(box.maxX, px + 10);
    box.minY = Math.min(box.minY, py - 12);
    box.maxY = Math.max(box.maxY, py + 12);
  };
  const parts: string[] = [];
  const loopTotal = loopCount;
  const deepestLoop = loopTotal.size > 0 ? LOOP_H + 16 : 0;

  // First pass: the shape of each edge; arcs get a height and reserve an attachment slot.
  type Slot = { edge: number; side: 'top' | 'bottom'; otherX: number; height: number; x?: number };
  const slots = new Map<string, Slot[]>();
  const shapes = edges.map((e, i) => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    if (a === b) return { kind: 'loop' as const };
    const parallel = edges.slice(0, i).filter((x) => x.from === e.from && x.to === e.to).length;
    const span = Math.abs(b.rank - a.rank);
    const forward = b.rank > a.rank;
    if (forward && span === 1 && parallel === 0 && a.y === b.y) return { kind: 'straight' as const };
    const side = forward ? ('top' as const) : ('bottom' as const);
    const height = forward
      ? 2 * (34 + 34 * (span - 1) + 26 * parallel)
      : 2 * (deepestLoop + 20 + 30 * (span - 1) + 26 * parallel);
    for (const [n, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const list = slots.get(`${n.id}/${side}`) ?? [];
      list.push({ edge: i, side, otherX: other.x, height });
      slots.set(`${n.id}/${side}`, list);
    }
    return { kind: 'arc' as const, side, height };
  });
  // Nested arcs must not cross: toward the right the highest arc leaves leftmost, from the left
  // the highest arc lands rightmost. Bottom arcs use the corners, loops keep the middle.
  for (const [key, list] of slots) {
    const n = nodes.get(key.slice(0, key.lastIndexOf('/')))!;
    const left = list.filter((x) => x.otherX < n.x).sort((p, q) => p.height - q.height);
    const right = list.filter((x) => x.otherX >= n.x).sort((p, q) => q.height - p.height);
    const ordered = [...left, ...right];
    if (list[0]!.side === 'top') {
      const usable = Math.min(n.w * 0.7, ordered.length * 22);
      ordered.forEach((x, k) => {
        x.x = n.x - usable / 2 + (ordered.length === 1 ? usable / 2 : (k * usable) / (ordered.length - 1));
      });
    } else {
      left.forEach((x, k) => {
        x.x = n.x - n.w / 2 + 10 + k * 14;
      });
      right.forEach((x, k) => {
        x.x = n.x + n.w / 2 - 10 - k * 14;
      });
    }
  }
  const slotX = (node: Node, edge: number, side: 'top' | 'bottom') =>
    slots.get(`${node.id}/${side}`)!.find((x) => x.edge === edge)!.x!;

  const loopsAt = new Map<string, number>();
  edges.forEach((e, i) => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    const shape = shapes[i]!;
    let d: string;
    let lx: number;
    let ly: number;
    if (shape.kind === 'loop') {
      const n = loopTotal.get(a.id)!;
      const k = loopsAt.get(a.id) ?? 0;
      loopsAt.set(a.id, k + 1);
      const spread = Math.min((a.w - 48) / n, 44);
      const cx = a.x + (k - (n - 1) / 2) * spread;
      const by = a.y + a.h / 2;
      d = `M${fmt(cx - 8)},${fmt(by)} C${fmt(cx - 22)},${fmt(by + LOOP_H)} ${fmt(cx + 22)},${fmt(by + LOOP_H)} ${fmt(cx + 8)},${fmt(by + 2)}`;
      lx = cx;
      ly = by + LOOP_H * 0.75 + 8;
    } else if (shape.kind === 'straight') {
      const x1 = a.x + a.w / 2;
      const x2 = b.x - b.w / 2 - 2;
      d = `M${fmt(x1)},${fmt(a.y)} L${fmt(x2)},${fmt(b.y)}`;
      lx = (x1 + x2) / 2;
      ly = a.y - 8;
    } else {
      const top = shape.side === 'top';
      const y1 = top ? a.y - a.h / 2 : a.y + a.h / 2;
      const y2 = top ? b.y - b.h / 2 - 2 : b.y + b.h / 2 + 2;
      const cy = top ? Math.min(y1, y2) - shape.height : Math.max(y1, y2) + shape.height;
      const x1 = slotX(a, i, shape.side);
      const x2 = slotX(b, i, shape.side);
      d = `M${fmt(x1)},${fmt(y1)} Q${fmt((x1 + x2) / 2)},${fmt(cy)} ${fmt(x2)},${fmt(y2)}`;
      lx = (x1 + x2) / 2;
      ly = (y1 + y2) / 4 + cy / 2;
    }
    grow(lx, ly);
    const tip = `${e.t.id} ${e.t.title} (${e.t.actor}, ${e.t.description}) [${e.t.basis}]: ${COVERAGE_TITLE[e.status]}`;
    const labelW = e.t.id.length * 7 + 8;
    parts.push(
      `<g class="tr s-${e.status}" data-t="${escapeAttr(e.t.id)}"><title>${escapeText(tip)}</title>` +
        `<path d="${d}" marker-end="url(#arrow-${e.status})"/>` +
        `<rect class="lb" x="${fmt(lx - labelW / 2)}" y="${fmt(ly - 8)}" width="${fmt(labelW)}" height="15" rx="3"/>` +
        `<text x="${fmt(lx)}" y="${fmt(ly + 4)}">${escapeText(e.t.id)}</text></g>`,
    );
  });

  const nodeParts: string[] = [];
  for (const n of nodes.values()) {
    grow(n.x - n.w / 2, n.y - n.h / 2);
    grow(n.x + n.w / 2, n.y + n.h / 2);
    if (n.id === INITIAL) {
      nodeParts.push(
        `<circle class="init" cx="${fmt(n.x)}" cy="${fmt(n.y)}" r="7"><title>creation</title></circle>`,
      );
      continue;
    }
    const def = profile.states.find((s) => s.name === n.id);
    const tip = `${n.id}${n.final ? ' (final)' : ''}${def ? ` [${def.basis}, ${def.clause}]` : ''}`;
    const rx = fmt(n.x - n.w / 2);
    const ry = fmt(n.y - n.h / 2);
    nodeParts.push(
      `<g class="st${n.final ? ' final' : ''}" data-state="${escapeAttr(n.id)}"><title>${escapeText(tip)}</title>` +
        `<rect x="${rx}" y="${ry}" width="${fmt(n.w)}" height="${fmt(n.h)}" rx="8"/>` +
        (n.final
          ? `<rect class="inner" x="${fmt(n.x - n.w / 2 + 3)}" y="${fmt(n.y - n.h / 2 + 3)}" width="${fmt(n.w - 6)}" height="${fmt(n.h - 6)}" rx="6"/>`
          : '') +
        `<text x="${fmt(n.x)}" y="${fmt(n.y + 4)}">${escapeText(n.label)}</text></g>`,
    );
  }
  const markers = (['passed', 'failed', 'covered', 'not-covered'] as const)
    .map(
      (s) =>
        `<marker id="arrow-${s}" class="s-${s}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`,
    )
    .join('');
  const vb = `${fmt(box.minX)} ${fmt(box.minY)} ${fmt(box.maxX - box.minX)} ${fmt(box.maxY - box.minY)}`;
  return (
    `<svg class="diagram" xmlns="http://www.w3.org/2000/svg" viewBox="${vb}" role="img" aria-label="State diagram of ${escapeAttr(profile.title)} with transition coverage">` +
    `<defs>${markers}</defs>${parts.join('')}${nodeParts.join('')}</svg>`
  );
}

/**
 * Longest distance from creation, ignoring the edges that close a cycle (found by a depth-first
 * walk in profile order), so the layout reads left to right like the protocol: QUEUED first.
 */
function ranks(order: string[], edges: Edge[]): Map<string, number> {
  const out = new Map<string, string[]>();
  for (const e of edges)
    if (e.from !== e.to) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string) => {
    state.set(n, 'open');
    for (const m of out.get(n) ?? []) {
      const s = state.get(m);
      if (s === 'open') back.add(`${n}>${m}`);
      else if (!s) visit(m);
    }
    state.set(n, 'done');
  };
  for (const n of order) if (!state.has(n)) visit(n);
  const rank = new Map<string, number>(order.map((n) => [n, 0]));
  // Longest path on the remaining DAG: relax |V| times (tiny graphs).
  for (let i = 0; i < order.length; i++) {
    for (const e of edges) {
      if (e.from === e.to || back.has(`${e.from}>${e.to}`)) continue;
      const r = rank.get(e.from)! + 1;
      if (r > rank.get(e.to)!) rank.set(e.to, r);
    }
  }
  return rank;
}
