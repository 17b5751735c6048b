/** A topic's flush.messages and flush.ms (or the broker's), Infinity meaning never. */
export interface FlushLimits {
  readonly flushMessages: number
  readonly flushMs: number
}

/** setTimeout cannot wait longer; a later deadline is reached in several waits. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

/**
 * Kafka's flush.messages and flush.ms for one log: counts the messages appended since the log's
 * last sync, says when flush.messages makes a sync due, and calls `onDue` once flush.ms has
 * passed since the last sync with messages still unsynced (one timer per log, armed only while
 * it holds unsynced messages, so idle logs cost nothing). With neither limit set, which is
 * Kafka's default, nothing is ever due and the OS decides when the page cache reaches the disk.
 */
export class FlushSchedule {
  private unsynced = 0
  private lastSyncAt = performance.now()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly onDue: () => void) {}

  /** Messages appended since the last sync started. */
  get unsyncedMessages(): number {
    return this.unsynced
  }

  /**
   * Counts `messages` just appended. True when flush.messages makes a sync due now (the caller
   * starts it); otherwise arms flush.ms' timer, if that limit is set and it is not armed yet.
   */
  appended(messages: number, limits: FlushLimits): boolean {
    this.unsynced += messages
    if (this.unsynced >= limits.flushMessages) return true
    if (this.timer === undefined && Number.isFinite(limits.flushMs)) this.arm(limits.flushMs)
    return false
  }

  /** A sync covering every message counted so far has started. */
  synced(): void {
    this.unsynced = 0
    this.lastSyncAt = performance.now()
    this.stop()
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private arm(flushMs: number): void {
    const delay = Math.max(0, this.lastSyncAt + flushMs - performance.now())
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.unsynced === 0) return
      if (performance.now() - this.lastSyncAt < flushMs) this.arm(flushMs)
      else this.onDue()
    }, Math.min(delay, MAX_TIMER_DELAY_MS))
    // The broker's close syncs every log; a pending flush must not keep the process alive.
    this.timer.unref()
  }
}
