import { ConfigError } from '../core/errors.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import type { KafkaStreams } from '../runtime/kafka-streams.js'
import { jsonSerde } from '../serde/primitive.js'
import type { Serde, SerdeContext } from '../serde/serde.js'
import type { StoreType } from '../state/types.js'
import { resolveSerde, type StoreSpec } from '../topology/types.js'
import { KeyParsers, type KeyParser } from './key-parsers.js'
import { QueryError } from './query-answer.js'

export type StoreKind = 'key-value' | 'window' | 'session'

const KINDS: Readonly<Record<StoreType, StoreKind>> = { keyValue: 'key-value', window: 'window', session: 'session' }

/** A store the query server answers for, with what it needs to read, route and order its keys. */
export interface ServedStore {
  readonly name: string
  readonly kind: StoreKind
  readonly global: boolean
  /** A window store's window size: a window's end is its start plus this. */
  readonly windowSizeMs: number | undefined
  readonly app: KafkaStreams
  readonly keyParser: KeyParser<unknown>
  /** The store's keys as bytes, in the order the store keeps them (a range is ordered by them). */
  serializeKey(key: unknown): Promise<Buffer>
}

/**
 * Stores an operator keeps for its own bookkeeping rather than to hold a table: the buffers of a
 * stream-stream join and of a suppression, and the subscriptions of a foreign-key join (a plain
 * store whose values are wrapped in an internal format). Their contents mean nothing to a client,
 * so the server neither lists nor serves them; `app.store()` still reads them.
 */
export function isOperatorBookkeeping(spec: StoreSpec): boolean {
  const { definition } = spec
  return definition.streamJoinStore !== undefined || definition.timeOrderedBuffer === true || (spec.valueFormat === 'plain' && spec.valueSerde.wrap !== undefined)
}

/**
 * The stores of one or several apps, by name. Names must be unique across the apps: a URL names
 * a store, not an app.
 */
export class StoreCatalog {
  private readonly stores = new Map<string, ServedStore>()

  constructor(
    readonly apps: readonly KafkaStreams[],
    keyParsers: Readonly<Record<string, KeyParser<unknown>>> = {},
  ) {
    const owners = new Map<string, KafkaStreams>()
    for (const app of apps) {
      for (const [name, spec] of app.topology.stores) {
        if (isOperatorBookkeeping(spec)) continue
        const other = owners.get(name)
        if (other !== undefined) {
          throw new ConfigError(
            `State store "${name}" is in application "${other.config.applicationId}" and in application "${app.config.applicationId}": ` +
              'one query server can serve several applications only when their store names differ. Rename one store, or start a query server per application.',
          )
        }
        owners.set(name, app)
        this.stores.set(name, served(app, name, spec, keyParsers[name] ?? KeyParsers.string()))
      }
    }
    const unknown = Object.keys(keyParsers).filter((name) => !this.stores.has(name))
    if (unknown.length > 0) {
      throw new ConfigError(`keySerdes names store(s) ${unknown.map((n) => `"${n}"`).join(', ')} that the query server does not serve; served stores: ${this.names()}.`)
    }
  }

  list(): ServedStore[] {
    return [...this.stores.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  /** The store named in a URL; a 404 listing the served stores when there is none. */
  get(name: string): ServedStore {
    const store = this.stores.get(name)
    if (store === undefined) {
      throw new QueryError(404, 'STORE_NOT_FOUND', `No queryable state store named "${name}". Stores served here: ${this.names()} (GET /stores lists them with their kinds).`)
    }
    return store
  }

  private names(): string {
    return this.list().map((s) => s.name).join(', ') || 'none'
  }
}

function served(app: KafkaStreams, name: string, spec: StoreSpec, keyParser: KeyParser<unknown>): ServedStore {
  const { config, topology } = app
  const serde: Serde<unknown> = resolveSerde(spec.keySerde, { keySerde: config.defaultKeySerde ?? jsonSerde(), valueSerde: config.defaultValueSerde ?? jsonSerde() })
  // The topic a store names its key serde's subject after (schema registry serdes), as the store itself does.
  const internal = spec.changelogIsInternal && spec.changelogTopic !== undefined
  const topic =
    spec.changelogTopic === undefined
      ? `${config.applicationId}-${name}-changelog`
      : internal
        ? `${config.applicationId}-${spec.changelogTopic}`
        : topology.topicName(spec.changelogTopic, config.applicationId)
  const context: SerdeContext = { topic, isKey: true }
  return {
    name,
    kind: KINDS[spec.definition.type],
    global: spec.global === true,
    windowSizeMs: spec.definition.windowSizeMs,
    app,
    keyParser,
    async serializeKey(key) {
      const bytes = serde.serialize(key, context)
      return isPromiseLike(bytes) ? await bytes : bytes
    },
  }
}
