import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CoordinatorLog, parseFrames } from '../../../src/broker/groups/coordinator-log.js'
import { silentLogger } from '../../../src/broker/logger.js'

describe('coordinator log', () => {
  const dirs: string[] = []
  const logs: CoordinatorLog[] = []
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close()
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  async function openLog(): Promise<{ log: CoordinatorLog; path: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-coordinator-log-'))
    dirs.push(dir)
    const path = join(dir, 'sub', 'coordinator.log')
    const log = new CoordinatorLog(path, silentLogger)
    logs.push(log)
    expect(await log.open()).toEqual([])
    return { log, path }
  }

  const records = (path: string) => parseFrames(readFileSync(path)).payloads.map((p) => p.toString())

  /** Fails instead of hanging when an append is never written. */
  function within<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} never completed`)), 2_000)
    })
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
  }

  it('completes an append issued at any moment after the previous one resolved', async () => {
    const { log, path } = await openLog()
    const expected: string[] = []
    for (let hops = 0; hops < 8; hops++) {
      await log.append([Buffer.from(`a${hops}`)])
      for (let i = 0; i < hops; i++) await Promise.resolve()
      await within(log.append([Buffer.from(`b${hops}`)]), `the append after ${hops} microtask hops`)
      expected.push(`a${hops}`, `b${hops}`)
    }
    expect(records(path)).toEqual(expected)
  })

  it('writes concurrent appends in order and applies them in that order once durable', async () => {
    const { log, path } = await openLog()
    const applied: number[] = []
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append([Buffer.from(`r${i}`)], () => applied.push(i))))
    expect(applied).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(records(path)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`))
  })

  it('replaces the file on rewrite and appends after the new contents', async () => {
    const { log, path } = await openLog()
    await log.append([Buffer.from('old-1'), Buffer.from('old-2')])
    const pending = log.append([Buffer.from('old-3')])
    // The snapshot is built only after the earlier append is durable.
    let builtAfter = false
    const rewrite = log.rewrite(() => {
      builtAfter = records(path).includes('old-3')
      return [Buffer.from('snapshot')]
    })
    await Promise.all([pending, rewrite])
    expect(builtAfter).toBe(true)
    await log.append([Buffer.from('new')])
    expect(records(path)).toEqual(['snapshot', 'new'])
  })

  /** Appends one record per turn of the event loop until `until` settles; each append resolves to its error message, if any. */
  async function appendEveryTurn(log: CoordinatorLog, prefix: string, until: Promise<unknown>): Promise<{ names: string[]; appends: Array<Promise<unknown>> }> {
    let settled = false
    void until.then(() => (settled = true), () => (settled = true))
    const names: string[] = []
    const appends: Array<Promise<unknown>> = []
    // A rewrite is several file operations, each at least one turn: every moment of it gets an append.
    while (!settled) {
      const name = `${prefix}${names.length}`
      names.push(name)
      appends.push(log.append([Buffer.from(name)]).then(() => null, (error: unknown) => String(error)))
      await new Promise((resolve) => setImmediate(resolve))
    }
    return { names, appends }
  }

  it('queues appends issued while a rewrite replaces the file, and keeps every one of them across a reopen', async () => {
    const { log, path } = await openLog()
    await log.append([Buffer.from('old')])
    const rewrite = log.rewrite(() => [Buffer.from('snapshot')])
    const { names, appends } = await appendEveryTurn(log, 'during-', rewrite)
    await rewrite
    expect((await Promise.all(appends)).filter((error) => error !== null)).toEqual([])
    expect(names.length).toBeGreaterThan(3)
    const expected = ['snapshot', ...names]
    expect(records(path)).toEqual(expected)
    await log.append([Buffer.from('after')])
    await log.close()
    const reopened = new CoordinatorLog(path, silentLogger)
    logs.push(reopened)
    expect((await reopened.open()).map((p) => p.toString())).toEqual([...expected, 'after'])
  })

  it('finishes a rewrite and the appends queued before close(), and refuses appends after it', async () => {
    const { log, path } = await openLog()
    await log.append([Buffer.from('old')])
    const rewrite = log.rewrite(() => [Buffer.from('snapshot')])
    const queued = log.append([Buffer.from('queued')])
    const closing = log.close()
    await expect(log.append([Buffer.from('late')])).rejects.toThrow(/is closed/)
    await Promise.all([rewrite, queued, closing])
    expect(records(path)).toEqual(['snapshot', 'queued'])
  })
})
