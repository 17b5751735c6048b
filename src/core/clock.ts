/**
 * Wall-clock time and waiting, passed to the code that paces itself by them (the stream loop's
 * commit interval and retry backoff) so that a test can drive it with a fake clock.
 */
export interface Time {
  /** Milliseconds since the epoch. */
  nowMs(): number
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>
}

/** The system clock: `Date.now` and `setTimeout`. */
export const SYSTEM_TIME: Time = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}
