import { StateDirectory } from '../engine/state-directory.js'

/**
 * A `groupInstanceId` unique to one state directory and stable across restarts on it: the
 * application id and the process id the state directory keeps (the one exactly-once names its
 * transactional producer after). Two instances never share a state directory, so never this id.
 */
export function stateDirectoryInstanceId(stateDir: string, applicationId: string): string {
  return `${applicationId}-${new StateDirectory(stateDir, applicationId).processId()}`
}
