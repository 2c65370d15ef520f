/** A clock tests can move forward, for shift expiry and the ОФД's 30 days. */
export class FakeClock {
  private offsetMs = 0;

  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
