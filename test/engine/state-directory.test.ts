import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { readCheckpointFile, StateDirectory } from '../../src/engine/index.js'
import { tempDir } from '../runtime/fixtures.js'

describe('StateDirectory', () => {
  const dirs: { remove(): void }[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove()
  })
  function stateDir(): string {
    const dir = tempDir()
    dirs.push(dir)
    return dir.path
  }

  it('keeps one process id per state directory across restarts', () => {
    const dir = stateDir()
    const id = new StateDirectory(dir, 'fleet').processId()
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(new StateDirectory(dir, 'fleet').processId()).toBe(id)
    expect(readFileSync(join(dir, 'fleet', 'process-id'), 'utf8')).toBe(id)
    expect(new StateDirectory(stateDir(), 'fleet').processId()).not.toBe(id)
  })

  it('writes and reads back the checkpoint file in the task directory', () => {
    const directory = new StateDirectory(stateDir(), 'fleet')
    expect(directory.readCheckpoint('0_1')).toEqual([])
    const offsets = [
      { topic: 'fleet-counts-changelog', partition: 1, offset: 42n },
      { topic: 'driver_profiles', partition: 1, offset: 7n },
    ]
    directory.writeCheckpoint('0_1', offsets)
    expect(directory.readCheckpoint('0_1')).toEqual(offsets)
    expect(readFileSync(join(directory.appDir, '0_1', '.checkpoint'), 'utf8')).toBe('0\n2\nfleet-counts-changelog 1 42\ndriver_profiles 1 7\n')
    directory.deleteCheckpoint('0_1')
    expect(directory.readCheckpoint('0_1')).toEqual([])
  })

  it('rejects a corrupt checkpoint with a message that says what to do', () => {
    const directory = new StateDirectory(stateDir(), 'fleet')
    writeFileSync(join(directory.taskDir('0_0'), '.checkpoint'), '0\n3\nt 0 1\n')
    let error: unknown
    try {
      readCheckpointFile(join(directory.appDir, '0_0', '.checkpoint'))
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_STATE')).toBe(true)
    expect((error as Error).message).toMatch(/corrupt.*Delete it/)
  })

  it('lets one owner lock a task directory at a time, also across StateDirectory instances', () => {
    const path = stateDir()
    const first = new StateDirectory(path, 'fleet')
    const second = new StateDirectory(path, 'fleet')
    const lock = first.lock('0_0')
    let error: unknown
    try {
      second.lock('0_0')
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_STATE')).toBe(true)
    expect((error as Error).message).toContain('Task 0_0 of application "fleet" is already open')
    expect(() => second.lock('0_1').release()).not.toThrow() // other tasks are free
    lock.release()
    second.lock('0_0').release()
  })

  it('refuses a task directory locked by another live process and takes over a dead one', async () => {
    const directory = new StateDirectory(stateDir(), 'fleet')
    const lockFile = join(directory.taskDir('1_0'), '.lock')
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
    try {
      writeFileSync(lockFile, String(child.pid))
      expect(() => directory.lock('1_0')).toThrow(`locked by another process (pid ${child.pid})`)
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
    const lock = directory.lock('1_0') // the owner is gone: stale lock
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid))
    lock.release()
    expect(existsSync(lockFile)).toBe(false)
  })

  it('wipes a task directory but keeps its lock, and lists task directories', () => {
    const directory = new StateDirectory(stateDir(), 'fleet')
    const lock = directory.lock('2_3')
    mkdirSync(join(lock.taskDir, 'rocksdb', 'counts'), { recursive: true })
    writeFileSync(join(lock.taskDir, 'rocksdb', 'counts', 'CURRENT'), 'x')
    directory.writeCheckpoint('2_3', [{ topic: 't', partition: 3, offset: 1n }])
    directory.taskDir('0_0')
    expect(directory.taskIds().sort()).toEqual(['0_0', '2_3'])
    directory.wipeTask('2_3')
    expect(existsSync(join(lock.taskDir, 'rocksdb'))).toBe(false)
    expect(directory.readCheckpoint('2_3')).toEqual([])
    expect(existsSync(join(lock.taskDir, '.lock'))).toBe(true)
    lock.release()
  })
})
