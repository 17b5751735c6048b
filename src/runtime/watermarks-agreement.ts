/** How a member keeps event time: `KafkaStreamsConfig.watermarks`. */
export type WatermarksMode = 'off' | 'upstream'

/**
 * The watermarks setting a group runs with, decided by its leader from what every member says in
 * its subscription: what most members use, and on a tie the leader's own. Members that use the
 * other setting are refused (see `streamsAssignor`): a reader on upstream watermarks would wait for
 * ever for progress from writers that send none, and a reader without them would take markers for
 * nothing, so a mixed group must not run. Members too old to say use 'off'.
 */
export function agreeOnWatermarks(members: readonly WatermarksMode[], leaders: WatermarksMode): WatermarksMode {
  let upstream = 0
  for (const mode of members) if (mode === 'upstream') upstream++
  const off = members.length - upstream
  if (upstream === off) return leaders
  return upstream > off ? 'upstream' : 'off'
}

/** The error a refused member fails with: it says what the group runs with and what to change. */
export function watermarksMismatch(applicationId: string, group: WatermarksMode, own: WatermarksMode): string {
  return (
    `The instances of application "${applicationId}" run with watermarks '${group}', this one with '${own}': ` +
    `every instance of an application must use the same watermarks setting. Set watermarks: '${group}' here, ` +
    `or stop the others and restart them all with '${own}'.`
  )
}
