/** The shape every overview card has: its element and what to undo when the view goes away. */
export interface Component {
  el: HTMLElement;
  dispose(): void;
}

/** Collects cleanup callbacks so a card can register them where it creates what they undo. */
export class Disposer {
  private readonly fns: (() => void)[] = [];

  add(fn: () => void): void {
    this.fns.push(fn);
  }

  /** An interval that stops with the card. */
  every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    this.add(() => clearInterval(t));
  }

  dispose = (): void => {
    for (const fn of this.fns.splice(0)) fn();
  };
}
