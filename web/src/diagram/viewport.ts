/**
 * A pannable, zoomable window onto the diagram. Panning is the browser's own scrolling (touch, wheel,
 * scrollbars and arrow keys once the area has focus) plus mouse drag; zoom resizes the SVG around the
 * centre of the view (or the pointer, for ctrl/⌘ + wheel and trackpad pinch). Starts at 100 %.
 */
import { h } from '../dom.js';
import type { Box } from './layout.js';

export interface Viewport {
  readonly el: HTMLElement;
  readonly scale: number;
  setScale(scale: number, around?: { x: number; y: number }): void;
  zoomBy(factor: number): void;
  fit(): void;
  /** Scrolls so the box (diagram coordinates) is in view, centring it if it was not; smooth unless reduced motion. */
  reveal(box: Box, force?: boolean): void;
  onScale(cb: (scale: number) => void): void;
}

export const MIN_SCALE = 0.3;
export const MAX_SCALE = 2.5;

export function createViewport(svg: SVGSVGElement, size: { width: number; height: number }): Viewport {
  const canvas = h('div', { class: 'diagram-canvas' });
  canvas.append(svg);
  const el = h(
    'div',
    {
      class: 'diagram-viewport',
      tabindex: 0,
      role: 'region',
      'aria-label': 'Diagram: scroll, drag or use the arrow keys to pan',
      'data-testid': 'diagram-viewport',
    },
    canvas,
  );
  let scale = 1;
  let scaleCb: ((s: number) => void) | null = null;

  const apply = () => {
    svg.setAttribute('width', String(Math.round(size.width * scale)));
    svg.setAttribute('height', String(Math.round(size.height * scale)));
    el.dataset.scale = scale.toFixed(2);
    scaleCb?.(scale);
  };

  const vp: Viewport = {
    el,
    get scale() {
      return scale;
    },
    setScale(next, around) {
      const clamped = Math.min(MAX_SCALE, Math.max(MIN_SCALE, next));
      // Keep the diagram point under `around` (view coordinates; default: the middle) where it is.
      const ax = around?.x ?? el.clientWidth / 2;
      const ay = around?.y ?? el.clientHeight / 2;
      const dx = (el.scrollLeft + ax) / scale;
      const dy = (el.scrollTop + ay) / scale;
      scale = clamped;
      apply();
      el.scrollLeft = dx * scale - ax;
      el.scrollTop = dy * scale - ay;
    },
    zoomBy(factor) {
      vp.setScale(scale * factor);
    },
    fit() {
      const w = el.clientWidth - 2;
      const hgt = el.clientHeight - 2;
      if (w <= 0 || hgt <= 0) return;
      vp.setScale(Math.min(w / size.width, hgt / size.height, 1.5));
      el.scrollLeft = 0;
      el.scrollTop = 0;
    },
    reveal(box, force = false) {
      const x = box.x * scale;
      const y = box.y * scale;
      const w = box.width * scale;
      const hh = box.height * scale;
      const inView = x >= el.scrollLeft && y >= el.scrollTop && x + w <= el.scrollLeft + el.clientWidth && y + hh <= el.scrollTop + el.clientHeight;
      if (inView && !force) return;
      const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      el.scrollTo({ left: x + w / 2 - el.clientWidth / 2, top: y + hh / 2 - el.clientHeight / 2, behavior: reduce || force ? 'auto' : 'smooth' });
    },
    onScale(cb) {
      scaleCb = cb;
    },
  };

  // Mouse drag pans; a drag that moved is not a click (no selection on release).
  let drag: { x: number; y: number; left: number; top: number; moved: boolean } | null = null;
  el.addEventListener('pointerdown', (ev) => {
    if (ev.pointerType !== 'mouse' || ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, left: el.scrollLeft, top: el.scrollTop, moved: false };
  });
  el.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x;
    const dy = ev.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      el.setPointerCapture(ev.pointerId);
      el.classList.add('dragging');
    }
    el.scrollLeft = drag.left - dx;
    el.scrollTop = drag.top - dy;
  });
  const endDrag = (ev: PointerEvent) => {
    if (!drag) return;
    if (drag.moved) {
      el.classList.remove('dragging');
      if (el.hasPointerCapture(ev.pointerId)) el.releasePointerCapture(ev.pointerId);
      el.addEventListener('click', (c) => c.stopPropagation(), { capture: true, once: true });
    }
    drag = null;
  };
  el.addEventListener('pointerup', endDrag);
  el.addEventListener('pointercancel', endDrag);
  // Ctrl/⌘ + wheel (and trackpad pinch, which arrives as a ctrl wheel) zooms around the pointer.
  el.addEventListener(
    'wheel',
    (ev) => {
      if (!ev.ctrlKey && !ev.metaKey) return;
      ev.preventDefault();
      const r = el.getBoundingClientRect();
      vp.setScale(scale * Math.exp(-ev.deltaY * 0.0025), { x: ev.clientX - r.left, y: ev.clientY - r.top });
    },
    { passive: false },
  );
  apply();
  return vp;
}
