import { ConfigError } from './errors.js'

/** Milliseconds since the epoch (event time, stream time, wall-clock time) or a duration in ms. */
export type Millis = number

/**
 * Checks that a duration given by the user is a finite, non-negative whole number of milliseconds.
 * Durations are numbers in Tributary, so a mistaken unit (seconds, a Date) shows up here, early.
 */
export function requireDurationMs(what: string, value: number, options: { positive?: boolean } = {}): Millis {
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < 0 || (options.positive === true && value === 0)) {
    throw new ConfigError(
      `${what} must be a ${options.positive === true ? 'positive' : 'non-negative'} whole number of milliseconds, ` +
        `got ${String(value)}. Durations are plain numbers in ms (e.g. 60_000 for one minute).`,
    )
  }
  return value
}

/** The start of the tumbling or hopping window of `sizeMs` advancing by `advanceMs` that is the latest to contain `timestamp`. */
export function latestWindowStart(timestamp: Millis, advanceMs: Millis): Millis {
  return timestamp - (timestamp % advanceMs)
}
