/**
 * The one place that loads the `rocksdb` package: its callback API (leveldown style) typed and
 * turned into promises. Errors become `StateStoreError`s that say what to do.
 */
import { createRequire } from 'node:module'
import { StateStoreError } from '../../core/errors.js'

type Callback<T = void> = (error: Error | undefined | null, result?: T) => void

interface NativeIterator {
  next(callback: (error: Error | undefined | null, key?: Buffer, value?: Buffer) => void): void
  end(callback: Callback): void
}

interface BatchOperation {
  type: 'put' | 'del'
  key: Buffer
  value?: Buffer
}

interface NativeChainedBatch {
  put(key: Buffer, value: Buffer): void
  del(key: Buffer): void
  write(callback: Callback): void
}

interface NativeDb {
  open(options: { createIfMissing: boolean; errorIfExists: boolean }, callback: Callback): void
  close(callback: Callback): void
  get(key: Buffer, options: { asBuffer: true; fillCache: boolean }, callback: Callback<Buffer>): void
  put(key: Buffer, value: Buffer, callback: Callback): void
  del(key: Buffer, callback: Callback): void
  /** The chained form: each operation goes to the native batch at once, no array to convert later. */
  batch(): NativeChainedBatch
  iterator(options: { gte?: Buffer; lte?: Buffer; keys: boolean; values: boolean; keyAsBuffer: true; valueAsBuffer: true }): NativeIterator
  getProperty(property: string): string
}

type NativeFactory = (location: string) => NativeDb

let factory: NativeFactory | undefined

function loadFactory(): NativeFactory {
  if (factory === undefined) {
    try {
      factory = createRequire(import.meta.url)('rocksdb') as NativeFactory
    } catch (cause) {
      throw new StateStoreError(
        `Could not load the "rocksdb" package for persistent state stores. Reinstall dependencies ` +
          `(npm install) on this platform, or use in-memory stores.`,
        { cause },
      )
    }
  }
  return factory
}

export type BatchWrite = BatchOperation

/** An open RocksDB database with promise methods. */
export class RocksDb {
  private constructor(
    private readonly db: NativeDb,
    readonly location: string,
  ) {}

  static async open(location: string, storeName: string): Promise<RocksDb> {
    const db = loadFactory()(location)
    await new Promise<void>((resolve, reject) => {
      db.open({ createIfMissing: true, errorIfExists: false }, (error) => {
        if (!error) return resolve()
        reject(
          new StateStoreError(
            `Could not open RocksDB for state store "${storeName}" at ${location}: ${error.message}. ` +
              `Check that the state directory is writable and that no other Tributary instance uses the ` +
              `same stateDir and applicationId (RocksDB allows one process per directory).`,
            { cause: error },
          ),
        )
      })
    })
    return new RocksDb(db, location)
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(key, { asBuffer: true, fillCache: true }, (error, value) => {
        if (!error) return resolve(value)
        if (/NotFound/i.test(error.message)) return resolve(undefined)
        reject(this.failure('read', error))
      })
    })
  }

  put(key: Buffer, value: Buffer | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const done: Callback = (error) => (error ? reject(this.failure('write', error)) : resolve())
      if (value === null) this.db.del(key, done)
      else this.db.put(key, value, done)
    })
  }

  /** Applies the operations atomically, in one write batch. */
  batch(operations: BatchOperation[]): Promise<void> {
    const batch = this.db.batch()
    for (const op of operations) {
      if (op.type === 'put') batch.put(op.key, op.value!)
      else batch.del(op.key)
    }
    return new Promise((resolve, reject) => {
      batch.write((error) => (error ? reject(this.failure('write', error)) : resolve()))
    })
  }

  iterator(from: Buffer | undefined, to: Buffer | undefined): RocksIterator {
    const options: Parameters<NativeDb['iterator']>[0] = { keys: true, values: true, keyAsBuffer: true, valueAsBuffer: true }
    if (from !== undefined) options.gte = from
    if (to !== undefined) options.lte = to
    return new RocksIterator(this.db.iterator(options), (error) => this.failure('read', error))
  }

  estimateNumKeys(): number {
    return Number(this.db.getProperty('rocksdb.estimate-num-keys')) || 0
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.close((error) => (error ? reject(this.failure('close', error)) : resolve()))
    })
  }

  private failure(operation: string, error: Error): StateStoreError {
    return new StateStoreError(
      `RocksDB ${operation} failed at ${this.location}: ${error.message}. If the store was closed, stop using it; ` +
        `if the files are damaged, delete the directory so the store is restored from its changelog.`,
      { cause: error },
    )
  }
}

/** One pass over a key range; `end()` must be called (iterating to the end does not release it). */
export class RocksIterator {
  private ended = false

  constructor(
    private readonly native: NativeIterator,
    private readonly wrap: (error: Error) => StateStoreError,
  ) {}

  next(): Promise<{ key: Buffer; value: Buffer } | undefined> {
    return new Promise((resolve, reject) => {
      this.native.next((error, key, value) => {
        if (error) return reject(this.wrap(error))
        resolve(key === undefined || value === undefined ? undefined : { key, value })
      })
    })
  }

  end(): Promise<void> {
    if (this.ended) return Promise.resolve()
    this.ended = true
    return new Promise((resolve, reject) => {
      this.native.end((error) => (error ? reject(this.wrap(error)) : resolve()))
    })
  }
}
