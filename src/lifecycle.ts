/** Process state shared by the server (which drains on SIGTERM) and the app (whose health reports it). */
export class Lifecycle {
  draining = false;
  readonly startedAt = new Date();
  #listeners: Array<() => void> = [];

  onDrain(listener: () => void): void {
    this.#listeners.push(listener);
  }

  startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    for (const listener of this.#listeners) listener();
  }
}
