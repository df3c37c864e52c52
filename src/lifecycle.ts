/** Process state shared by the server (which drains on SIGTERM) and the app (whose health reports it). */
export class Lifecycle {
  draining = false;
  readonly startedAt = new Date();
  #listeners: Array<() => void> = [];
  #closers: Array<() => Promise<void>> = [];

  onDrain(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** `task` runs when the server stops, once the listener is closed and in-flight requests have finished. */
  onClose(task: () => Promise<void>): void {
    this.#closers.push(task);
  }

  /** Runs the close tasks (each once), before the database closes. */
  async close(): Promise<void> {
    const closers = this.#closers.splice(0);
    await Promise.all(closers.map((task) => task()));
  }

  startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    for (const listener of this.#listeners) listener();
  }
}
