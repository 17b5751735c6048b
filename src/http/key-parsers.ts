/**
 * Turns the text of a URL (a path segment, already percent-decoded, or a `from`/`to` parameter)
 * into a key of the type the store's key serde takes. It may throw: the query server answers 400
 * with the error's message.
 *
 * @example
 * startQueryServer(app, { keySerdes: { 'trips-per-driver': KeyParsers.number(), 'zone-demand': { parse: (text) => text.toUpperCase() } } })
 */
export interface KeyParser<K> {
  parse(text: string): K
}

/** The key parsers most stores need; a store without one in `keySerdes` takes the text as a string key. */
export const KeyParsers = {
  /** The text itself (the default). */
  string(): KeyParser<string> {
    return { parse: (text) => text }
  },
  /** A finite number written in decimal, e.g. `42` or `-1.5`. */
  number(): KeyParser<number> {
    return {
      parse(text) {
        const value = Number(text)
        if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`"${text}" is not a number; this store's keys are numbers.`)
        return value
      },
    }
  },
  /** JSON text, for keys that are objects or arrays (stores with `Serdes.json()` keys), e.g. `{"zone":"872830829ffffff"}`. */
  json<K>(): KeyParser<K> {
    return {
      parse(text) {
        try {
          return JSON.parse(text) as K
        } catch {
          throw new Error(`"${text}" is not JSON; this store's keys are JSON values (URL-encode the text).`)
        }
      },
    }
  },
} as const
