/** The Processor API; the built-in operators are reached through the DSL. */
export type * from './api.js'
export type { ValueAndTimestamp } from './value-and-timestamp.js'
