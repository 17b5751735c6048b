import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { BrokerError } from './errors.js'

/**
 * An exclusive lock on a data directory: two brokers appending to the same segment files would
 * corrupt them. The lock file holds the owner's pid; a lock left by a killed process (its pid no
 * longer runs) is taken over, which is what makes restart-after-SIGKILL work.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, '.lock')
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx')
        writeSync(fd, String(process.pid))
        closeSync(fd)
        return new DataDirLock(path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new BrokerError(`Cannot lock data directory ${dataDir}.`, { cause: error })
        const owner = Number(readFileSync(path, 'utf8').trim())
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
          throw new BrokerError(`Data directory ${dataDir} is in use by another broker (pid ${owner}). Stop it or choose another dataDir.`)
        }
        if (owner === process.pid) {
          throw new BrokerError(`Data directory ${dataDir} is already used by a broker in this process. Close it first or choose another dataDir.`)
        }
        unlinkSync(path) // stale: its owner is gone
      }
    }
    throw new BrokerError(`Cannot lock data directory ${dataDir}: the lock file keeps reappearing.`)
  }

  release(): void {
    try {
      unlinkSync(this.path)
    } catch {
      // already gone (data directory removed): nothing to release
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
