// A small typed event emitter, so that listeners of each event get its
// own payload type.

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(event: never) => void>>();

  /** Calls `listener` with every `type` event until unsubscribed. */
  on<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): Unsubscribe {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  /**
   * Calls every listener of `type`. A listener that throws is reported on
   * the console and does not stop the others.
   */
  protected emit<K extends keyof Events>(type: K, event: Events[K]): void {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        console.error(`echostream: a ${String(type)} listener threw`, error);
      }
    }
  }
}
