/**
 * ride-matching: Velocity's matching service. Ride requests are answered with the nearest free
 * driver from the drivers' latest locations, searched ring by ring in an H3 index.
 */
import { Serdes } from '../../src/index.js'
import type { BundledTopology } from '../types.js'
import { VELOCITY_TOPICS, type RideAssignment } from '../velocity/domain.js'
import { rideMatchingTopology } from './topology.js'
import { RIDE_MATCHING_STORES, UNMATCHED_RIDE_REQUESTS_TOPIC, type UnmatchedRideRequest } from './types.js'

export { rideMatchingTopology, resolveRideMatchingOptions, WHOLE_CITY_AREA } from './topology.js'
export { findNearestDriver, type NearestDriver, type NearestDriverSearch } from './nearest-driver.js'
export { isDriverFree, type DispatchOutcome } from './dispatcher.js'
export * from './types.js'

export const bundled: BundledTopology = {
  name: 'ride-matching',
  description: 'Matches each ride request with the nearest free driver (H3 ring search over the latest locations)',
  build() {
    return {
      topology: rideMatchingTopology(),
      inputs: [VELOCITY_TOPICS.vehicleLocations, VELOCITY_TOPICS.rideRequests],
      outputs: [
        { topic: VELOCITY_TOPICS.rideAssignments, keySerde: Serdes.string(), valueSerde: Serdes.json<RideAssignment>() },
        { topic: UNMATCHED_RIDE_REQUESTS_TOPIC, keySerde: Serdes.string(), valueSerde: Serdes.json<UnmatchedRideRequest>() },
      ],
      stores: [RIDE_MATCHING_STORES.drivers],
    }
  },
}
