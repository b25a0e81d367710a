// Virtual time: seconds of simulated MAAS time, running `speed` times faster than the wall clock.
// It starts where a saved state left it, so durations and due times keep their meaning across a
// restart (the time the simulator was not running does not count).

export class VirtualClock {
  private readonly wallStart = Date.now();

  constructor(
    readonly speed: number,
    private readonly startAt = 0,
  ) {
    if (!(speed > 0)) throw new Error("speed must be > 0");
  }

  /** virtual seconds now */
  now(): number {
    return this.startAt + ((Date.now() - this.wallStart) / 1000) * this.speed;
  }

  /** wall-clock milliseconds for a virtual duration in seconds */
  wallMs(virtualSeconds: number): number {
    return (virtualSeconds * 1000) / this.speed;
  }
}
