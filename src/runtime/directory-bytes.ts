import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Bytes of every file under `path` (0 when it does not exist yet): the on-disk footprint of a
 * RocksDB store or a whole state directory. RocksDB replaces its files as it compacts, so a file
 * may vanish between the listing and its stat: such files are skipped.
 */
export async function directoryBytes(path: string): Promise<number> {
  let entries
  try {
    entries = await readdir(path, { withFileTypes: true, recursive: true })
  } catch {
    return 0
  }
  let total = 0
  for (const entry of entries) {
    if (!entry.isFile()) continue
    try {
      total += (await stat(join(entry.parentPath, entry.name))).size
    } catch {
      // Removed by a compaction since the listing.
    }
  }
  return total
}
