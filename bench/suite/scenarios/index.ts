import { fleetMapScenario } from './fleet-map.js'
import { rideHistoryScenario } from './ride-history.js'
import { rideJoinScenario } from './ride-join.js'
import type { Scenario } from './scenario.js'
import { surgePricingScenario } from './surge-pricing.js'
import { windowCountScenario } from './window-count.js'

/** Every scenario of the suite, in the order they run and are reported. */
export const SCENARIOS: readonly Scenario[] = [rideJoinScenario, fleetMapScenario, surgePricingScenario, rideHistoryScenario, windowCountScenario]
