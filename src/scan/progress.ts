// The one throttle of progress reports: every scan path (one thread, worker threads, a shard, a
// stream) counts the bytes it has scanned and reports them every PROGRESS_EVERY bytes, so a
// progress line moves often enough to be alive and costs nothing per window.

/** Bytes between two reports. */
export const PROGRESS_EVERY = 16 * 1024 * 1024;

export class ProgressThrottle {
  private done: number;
  private reported: number;

  /** `report(done)` gets the bytes done so far, counted from `start`. */
  constructor(
    private readonly report: (done: number) => void,
    start = 0,
  ) {
    this.done = start;
    this.reported = start;
  }

  get bytesDone(): number {
    return this.done;
  }

  add(bytes: number): void {
    this.done += bytes;
    if (this.done - this.reported >= PROGRESS_EVERY) this.flush();
  }

  /** Reports what was not reported yet (at the end of a scan). */
  flush(): void {
    if (this.done === this.reported) return;
    this.reported = this.done;
    this.report(this.done);
  }
}
