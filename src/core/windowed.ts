/** A time interval `[start, end)` in epoch milliseconds. Session windows are `[start, end]`. */
export interface Window {
  readonly start: number
  readonly end: number
}

/** The key of a windowed aggregate: the grouping key and the window it belongs to. */
export interface Windowed<K> {
  readonly key: K
  readonly window: Window
}

/** A table update: the new value and, where a downstream operator needs it, the old one. */
export interface Change<V> {
  readonly newValue: V | null
  readonly oldValue: V | null
}
