/**
 * A sleep that `wake()` can cut short (drain and stop must not wait out idle intervals). A wake
 * while nobody sleeps is kept, so the next sleep returns at once (no lost wake-ups).
 */
export class Napper {
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pendingWake = true;
  }
}
