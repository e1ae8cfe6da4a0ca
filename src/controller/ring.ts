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
