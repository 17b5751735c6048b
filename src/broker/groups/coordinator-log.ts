import { open, readFile, rename, rm, mkdir, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'
import { DEFAULT_DURABILITY, type LogDurability } from '../log/durability.js'
import { FlushSchedule } from '../log/flush-schedule.js'
import { publishLogSync } from '../log/log-sync-channel.js'
import type { BrokerLogger } from '../logger.js'
import { GroupStoreError } from './errors.js'

/** Every record is framed as [u32 payload length][u32 CRC-32 of the payload][payload]. */
const FRAME_HEADER_BYTES = 8
/** A length above this cannot have been written by us: it marks garbage, not a record. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024

type Operation =
  | { kind: 'append'; frames: Buffer; records: number; done: Settle }
  | { kind: 'rewrite'; build: () => readonly Buffer[]; done: Settle }
  | { kind: 'sync'; done: Settle }

interface Settle {
  /** Runs synchronously once the write is stored, before the next queued operation starts. */
  onStored: (() => void) | undefined
  resolve(): void
  reject(error: unknown): void
}

/**
 * An append-only, checksummed file of coordinator records (committed offsets and group
 * metadata), the embedded counterpart of Kafka's `__consumer_offsets` topic.
 *
 * A record is stored once its `append` promise resolves: written to the file, which a killed
 * process cannot take back, and synced as `durability` says: before resolving in fsync mode
 * 'always' (power-loss safe), else when flush.messages records were appended since the last sync
 * or flush.ms passed since it (by default never: the OS writes the page cache back), as Kafka
 * treats its internal topics like any log. Appends that arrive while a write is in flight are
 * coalesced into one write (and one `fdatasync`), so many concurrent commits cost one. A crash
 * can leave a torn record at the tail: `open` drops it (the CRC or the length does not check
 * out) and truncates the file so later appends stay readable. Operations run one at a time, so
 * appends made during a rewrite (compaction) wait for it and then go to the end of the compacted
 * file. `close` syncs whatever is not synced yet.
 */
export class CoordinatorLog {
  /**
   * Whether appends are accepted, kept apart from `handle`: a rewrite closes and reopens the file
   * while the log stays open, and appends arriving then must wait in the queue, not fail.
   */
  private state: 'new' | 'open' | 'closing' | 'closed' = 'new'
  /** Used only by the operation `drain` is running, so a rewrite may replace it safely. */
  private handle: FileHandle | null = null
  /** Bytes of valid records; the next write goes exactly here, overwriting any failed tail. */
  private size = 0
  private readonly queue: Operation[] = []
  private draining: Promise<void> | null = null
  /** flush.ms' timer queues a sync behind the writes in flight, so it never races them for the handle. */
  private readonly flushSchedule = new FlushSchedule(() => void this.enqueue((done) => ({ kind: 'sync', done }), undefined).catch(() => undefined))

  constructor(
    private readonly path: string,
    private readonly logger: BrokerLogger,
    private readonly durability: LogDurability = DEFAULT_DURABILITY,
  ) {}

  /** Opens (or creates) the file and returns the payloads of every intact record, in order. */
  async open(): Promise<Buffer[]> {
    let contents: Buffer
    try {
      await mkdir(dirname(this.path), { recursive: true })
      // A leftover from a compaction interrupted before its rename: the original file is intact.
      await rm(this.path + '.tmp', { force: true })
      contents = await readFile(this.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return Buffer.alloc(0)
        throw error
      })
    } catch (error) {
      throw new GroupStoreError(`cannot read the group coordinator log ${this.path}: check the data directory's permissions`, { cause: error })
    }
    const { payloads, validBytes } = parseFrames(contents)
    if (validBytes < contents.length) {
      this.logger.warn('group coordinator log has a torn or corrupt tail; dropping it', {
        path: this.path,
        droppedBytes: contents.length - validBytes,
      })
    }
    this.handle = await open(this.path, contents.length === 0 ? 'w+' : 'r+')
    // A new file's directory entry must survive a power loss as well as its first records.
    if (contents.length === 0) await syncDirectory(dirname(this.path))
    if (validBytes < contents.length) {
      await this.handle.truncate(validBytes)
      await this.syncFile(this.handle)
    }
    this.size = validBytes
    this.state = 'open'
    return payloads
  }

  /**
   * Appends records; resolves once they are stored (see the class). `onStored` runs at that
   * moment, in log order, so in-memory state derived from the log changes in exactly the order
   * of the file.
   */
  append(payloads: readonly Buffer[], onStored?: () => void): Promise<void> {
    return this.enqueue((done) => ({ kind: 'append', frames: frame(payloads), records: payloads.length, done }), onStored)
  }

  /**
   * Atomically replaces the whole file (compaction). `build` runs when every earlier append is
   * stored and applied, so a snapshot of in-memory state taken there loses nothing.
   */
  rewrite(build: () => readonly Buffer[]): Promise<void> {
    return this.enqueue((done) => ({ kind: 'rewrite', build, done }), undefined)
  }

  /** Operations waiting or being written: a number that only grows while the disk does not answer. */
  get queuedOperations(): number {
    return this.queue.length + (this.draining === null ? 0 : 1)
  }

  /** Writes everything queued so far (a rewrite included), syncs it, then closes the file; later appends are refused. */
  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closing'
    while (this.draining !== null) await this.draining
    this.flushSchedule.stop()
    const handle = this.handle
    this.handle = null
    this.state = 'closed'
    try {
      if (handle !== null && this.flushSchedule.unsyncedMessages > 0) await this.syncFile(handle)
    } catch (error) {
      // The records are written: only a power loss before the OS writes them back can lose them.
      this.logger.error('cannot sync the coordinator log on close', { path: this.path, cause: String(error) })
    } finally {
      await handle?.close()
    }
  }

  private enqueue(operation: (done: Settle) => Operation, onStored: (() => void) | undefined): Promise<void> {
    if (this.state === 'new') {
      return Promise.reject(new GroupStoreError(`the group coordinator log ${this.path} is not open: call load() first`))
    }
    if (this.state !== 'open') return Promise.reject(new GroupStoreError(`the group coordinator log ${this.path} is closed`))
    return new Promise<void>((resolve, reject) => {
      this.queue.push(operation({ onStored, resolve, reject }))
      this.draining ??= this.drain()
    })
  }

  /**
   * Writes queued operations until the queue is empty. `draining` is cleared in the same
   * synchronous step that finds the queue empty, so an append enqueued afterwards starts a new
   * drain rather than waiting on one that has finished. (The loop always awaits at least once,
   * so `draining` is assigned before this finally block can run.)
   */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const first = this.queue[0]!
        if (first.kind === 'rewrite') {
          this.queue.shift()
          await this.settle([first.done], () => this.replaceFile(frame(first.build())))
          continue
        }
        if (first.kind === 'sync') {
          this.queue.shift()
          await this.settle([first.done], () => this.syncUnsynced())
          continue
        }
        // Coalesce every queued append up to the next other operation into one write (and one sync).
        const frames: Buffer[] = []
        const waiters: Settle[] = []
        let records = 0
        for (let op = this.queue[0]; op?.kind === 'append'; op = this.queue[0]) {
          this.queue.shift()
          frames.push(op.frames)
          records += op.records
          waiters.push(op.done)
        }
        await this.settle(waiters, () => this.writeAtEnd(frames.length === 1 ? frames[0]! : Buffer.concat(frames), records))
      }
    } finally {
      this.draining = null
    }
  }

  private async settle(waiters: Settle[], work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (error) {
      const failure = new GroupStoreError(`cannot write the group coordinator log ${this.path}: check free disk space and permissions`, { cause: error })
      this.logger.error(failure.message, { cause: String(error) })
      for (const waiter of waiters) waiter.reject(failure)
      return
    }
    for (const waiter of waiters) {
      try {
        waiter.onStored?.()
      } catch (error) {
        this.logger.error('applying a stored coordinator record failed', { cause: String(error) })
      }
      waiter.resolve()
    }
  }

  private async writeAtEnd(frames: Buffer, records: number): Promise<void> {
    const handle = await this.currentHandle()
    let written = 0
    while (written < frames.length) {
      const { bytesWritten } = await handle.write(frames, written, frames.length - written, this.size + written)
      written += bytesWritten
    }
    const syncDue = this.flushSchedule.appended(records, this.durability)
    if (this.durability.fsync === 'always' || syncDue) await this.syncFile(handle)
    // Only now does the tail count as valid; a failed write is overwritten by the next one.
    this.size += frames.length
  }

  /** flush.ms' sync: only when appends since the last sync are still unsynced. */
  private async syncUnsynced(): Promise<void> {
    if (this.flushSchedule.unsyncedMessages === 0) return
    await this.syncFile(await this.currentHandle())
  }

  private async syncFile(handle: FileHandle): Promise<void> {
    this.flushSchedule.synced()
    await handle.datasync()
    publishLogSync(this.path)
  }

  private async replaceFile(frames: Buffer): Promise<void> {
    const tmpPath = this.path + '.tmp'
    const tmp = await open(tmpPath, 'w')
    try {
      await tmp.writeFile(frames)
      // Synced in every mode: a rename over the log of a file not yet on disk could lose all of it.
      this.flushSchedule.synced()
      await tmp.datasync()
      publishLogSync(tmpPath)
    } finally {
      await tmp.close()
    }
    // Closed before the rename, which some platforms refuse over an open file. Nothing else uses
    // the handle meanwhile: queued appends wait until this operation is over.
    const old = this.handle
    this.handle = null
    await old?.close()
    await rename(tmpPath, this.path)
    // The compacted file is in place: the next write goes at its end, whatever fails below.
    this.size = frames.length
    await syncDirectory(dirname(this.path))
    await this.currentHandle()
  }

  /**
   * The open file, reopened if a rewrite could not reopen it (the original file if its rename
   * failed, else the compacted one): a failed reopen fails that operation, not every later one.
   */
  private async currentHandle(): Promise<FileHandle> {
    this.handle ??= await open(this.path, 'r+')
    return this.handle
  }
}

function frame(payloads: readonly Buffer[]): Buffer {
  let total = 0
  for (const payload of payloads) total += FRAME_HEADER_BYTES + payload.length
  const out = Buffer.allocUnsafe(total)
  let pos = 0
  for (const payload of payloads) {
    out.writeUInt32BE(payload.length, pos)
    out.writeUInt32BE(crc32(payload), pos + 4)
    payload.copy(out, pos + FRAME_HEADER_BYTES)
    pos += FRAME_HEADER_BYTES + payload.length
  }
  return out
}

/** Reads frames until the first one that is incomplete or fails its checksum. */
export function parseFrames(contents: Buffer): { payloads: Buffer[]; validBytes: number } {
  const payloads: Buffer[] = []
  let pos = 0
  while (pos + FRAME_HEADER_BYTES <= contents.length) {
    const length = contents.readUInt32BE(pos)
    const end = pos + FRAME_HEADER_BYTES + length
    if (length > MAX_RECORD_BYTES || end > contents.length) break
    const payload = contents.subarray(pos + FRAME_HEADER_BYTES, end)
    if (crc32(payload) !== contents.readUInt32BE(pos + 4)) break
    payloads.push(payload)
    pos = end
  }
  return { payloads, validBytes: pos }
}

/** Makes a rename durable: without it a power loss may bring the old directory entry back. */
async function syncDirectory(path: string): Promise<void> {
  let dir: FileHandle | null = null
  try {
    dir = await open(path, 'r')
    await dir.sync()
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic there.
  } finally {
    await dir?.close()
  }
}
