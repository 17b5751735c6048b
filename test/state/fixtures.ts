import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChangelogSink, StateStore, StateStoreContext, StoreSupplierKind } from '../../src/state/types.js'

export const suppliers: StoreSupplierKind[] = ['memory', 'rocksdb']

export interface LoggedChange {
  readonly key: Buffer
  readonly value: Buffer | null
  readonly timestamp: number
}

/** A task context whose stream and record time the test sets, recording changelog writes. */
export class TestStoreContext implements StateStoreContext {
  readonly applicationId = 'app'
  readonly taskId = '0_0'
  streamTime = 0
  recordTime = 0
  readonly logged: LoggedChange[] = []
  readonly changelog: ChangelogSink | undefined

  constructor(
    readonly taskDir: string,
    logging: boolean = true,
  ) {
    const logged = this.logged
    this.changelog = logging
      ? { topic: 'app-store-changelog', send: (key, value, timestamp) => void logged.push({ key, value, timestamp }) }
      : undefined
  }

  currentStreamTimeMs(): number {
    return this.streamTime
  }

  currentRecordTimestamp(): number {
    return this.recordTime
  }
}

/** Temporary task directories, removed by `cleanup()` (call it in afterEach). */
export class TempDirs {
  private readonly dirs: string[] = []

  async make(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-state-'))
    this.dirs.push(dir)
    return dir
  }

  async cleanup(): Promise<void> {
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  }
}

export interface OpenOptions {
  /** Default: a new directory of `dirs`. An earlier store's, to reopen what it left on disk. */
  readonly taskDir?: string
  /** Default: true, with the writes in `context.logged`. */
  readonly changelog?: boolean
}

/**
 * Opens a store (as the state builders make it) the way its task would: `init` in a task
 * directory (RocksDB stores live there) with a context the test controls.
 */
export async function openStore<S extends StateStore>(
  dirs: TempDirs,
  store: S,
  options: OpenOptions = {},
): Promise<{ store: S; context: TestStoreContext }> {
  const context = new TestStoreContext(options.taskDir ?? (await dirs.make()), options.changelog)
  await store.init(context)
  return { store, context }
}

export async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterator) out.push(item)
  return out
}
