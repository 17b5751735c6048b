import { randomUUID } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { StateStoreError } from '../core/errors.js'
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js'
import type { TopicPartitionOffset } from './types.js'

const LOCK_FILE = '.lock'
const CHECKPOINT_FILE = '.checkpoint'

/** Task directories locked by this process, across every StateDirectory (two instances in one process). */
const lockedInThisProcess = new Set<string>()

/** Held while a task owns its directory; `release()` when the task is closed. */
export interface TaskDirectoryLock {
  readonly taskDir: string
  release(): void
}

/**
 * The application's state directory, `<stateDir>/<applicationId>/`, with one directory per task.
 * A task directory is locked by its owner (a lock file holding the owner's pid, plus a registry
 * for owners in this process), so that two instances sharing a state directory never open the same
 * stores. A lock left by a killed process is taken over.
 */
export class StateDirectory {
  readonly appDir: string

  constructor(
    readonly stateDir: string,
    readonly applicationId: string,
  ) {
    this.appDir = join(stateDir, applicationId)
  }

  /**
   * The id of the instance that owns this state directory, kept in `<appDir>/process-id` so that it
   * survives restarts (as Kafka Streams keeps its process id): exactly-once names its transactional
   * producer after it, so a restarted instance fences its previous incarnation at once.
   */
  processId(): string {
    const file = join(this.appDir, 'process-id')
    try {
      const id = readFileSync(file, 'utf8').trim()
      if (/^[0-9a-f-]{36}$/.test(id)) return id
    } catch {
      // none yet
    }
    mkdirSync(this.appDir, { recursive: true })
    const id = randomUUID()
    writeFileSync(file, id)
    return id
  }

  /** `<stateDir>/<applicationId>/<taskId>`, created when missing. */
  taskDir(taskId: string): string {
    const dir = join(this.appDir, taskId)
    try {
      mkdirSync(dir, { recursive: true })
    } catch (error) {
      throw new StateStoreError(`Cannot create the task directory ${dir}: check stateDir and its permissions.`, { cause: error })
    }
    return dir
  }

  /** Task ids that have a directory (e.g. to clean up state of tasks no longer assigned). */
  taskIds(): string[] {
    try {
      return readdirSync(this.appDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && /^\d+_\d+$/.test(entry.name))
        .map((entry) => entry.name)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new StateStoreError(`Cannot list the state directory ${this.appDir}.`, { cause: error })
    }
  }

  /** Locks the task's directory for this owner, or fails if another instance holds it. */
  lock(taskId: string): TaskDirectoryLock {
    const taskDir = this.taskDir(taskId)
    const path = join(taskDir, LOCK_FILE)
    if (lockedInThisProcess.has(path)) {
      throw new StateStoreError(
        `Task ${taskId} of application "${this.applicationId}" is already open in this process (${taskDir}). ` +
          `Close the other instance or give each instance its own stateDir.`,
      )
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx')
        try {
          writeSync(fd, String(process.pid))
        } finally {
          closeSync(fd)
        }
        lockedInThisProcess.add(path)
        return new FileLock(taskDir, path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateStoreError(`Cannot lock the task directory ${taskDir}.`, { cause: error })
        const owner = Number(readFileSync(path, 'utf8').trim())
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
          throw new StateStoreError(
            `Task ${taskId} of application "${this.applicationId}" is locked by another process (pid ${owner}) using the same stateDir. ` +
              `Give each instance its own stateDir.`,
          )
        }
        // Left by a process that is gone, or by this process without a live owner: stale.
        rmSync(path, { force: true })
      }
    }
    throw new StateStoreError(`Cannot lock the task directory ${taskDir}: the lock file keeps reappearing.`)
  }

  readCheckpoint(taskId: string): TopicPartitionOffset[] {
    return readCheckpointFile(join(this.appDir, taskId, CHECKPOINT_FILE))
  }

  writeCheckpoint(taskId: string, offsets: readonly TopicPartitionOffset[]): void {
    writeCheckpointFile(join(this.taskDir(taskId), CHECKPOINT_FILE), offsets)
  }

  deleteCheckpoint(taskId: string): void {
    rmSync(join(this.appDir, taskId, CHECKPOINT_FILE), { force: true })
  }

  /**
   * Deletes the task's stores and checkpoint (keeping its lock), so that they are restored from
   * the changelogs from the beginning. Only while the task's stores are closed.
   */
  wipeTask(taskId: string): void {
    const dir = join(this.appDir, taskId)
    let entries: string[]
    try {
      entries = readdirSync(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw new StateStoreError(`Cannot read the task directory ${dir}.`, { cause: error })
    }
    for (const entry of entries) if (entry !== LOCK_FILE) rmSync(join(dir, entry), { recursive: true, force: true })
  }
}

class FileLock implements TaskDirectoryLock {
  private held = true

  constructor(
    readonly taskDir: string,
    private readonly path: string,
  ) {}

  release(): void {
    if (!this.held) return
    this.held = false
    lockedInThisProcess.delete(this.path)
    try {
      unlinkSync(this.path)
    } catch {
      // The directory was removed meanwhile: nothing left to release.
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
