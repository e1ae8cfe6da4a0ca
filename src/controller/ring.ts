// A bounded ring: the newest `capacity` items, oldest first. Probe and RPO history per service.
export class Ring<T> {
  readonly #items: T[] = [];
  #start = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.#items.length < this.capacity) this.#items.push(item);
    else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }

  /**
   * Adds an item, reusing the evicted one when the ring is full (`fill` overwrites every field):
   * a history that only cycles objects leaves the garbage collector nothing old to collect.
   */
  pushReusing(make: () => T, fill: (item: T) => void): void {
    if (this.#items.length < this.capacity) {
      const item = make();
      fill(item);
      this.#items.push(item);
      return;
    }
    fill(this.#items[this.#start] as T);
    this.#start = (this.#start + 1) % this.capacity;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The newest `limit` items, oldest first. */
  last(limit = this.capacity): T[] {
    const n = Math.max(0, Math.min(limit, this.#items.length));
    const out: T[] = [];
    for (let i = this.#items.length - n; i < this.#items.length; i++)
      out.push(this.#items[(this.#start + i) % this.#items.length] as T);
    return out;
  }
}
