import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Bytes of the files under `dir` (0 when it does not exist). RocksDB replaces its files as it
 * compacts, so a file may vanish between the listing and its stat: such files are skipped.
 */
export async function directorySize(dir: string): Promise<number> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  let total = 0
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += await directorySize(path)
    else if (entry.isFile()) total += await stat(path).then((s) => s.size, () => 0)
  }
  return total
}
