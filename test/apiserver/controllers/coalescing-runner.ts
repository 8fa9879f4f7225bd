// Runs a controller's pass once after a burst of store events instead of once per event,
// outside the store listener (so a pass may write without re-entering the store).
export class CoalescingRunner {
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly pass: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  trigger(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      try {
        this.pass();
      } catch (err) {
        this.onError(err);
      }
    });
  }

  stop(): void {
    this.stopped = true;
  }
}
