import type { Prng } from './prng.js'

/** Names, vehicles and other plausible values for the people and cars of the city. */

export const FIRST_NAMES = [
  'Ada', 'Amir', 'Ana', 'Ben', 'Carla', 'Chen', 'Dana', 'Diego', 'Elena', 'Emeka', 'Fatima', 'Felix', 'Grace', 'Hiro',
  'Ines', 'Ivan', 'Jada', 'Jonas', 'Kai', 'Lena', 'Luis', 'Maya', 'Mei', 'Nadia', 'Noah', 'Omar', 'Priya', 'Quinn',
  'Rosa', 'Sam', 'Sofia', 'Tariq', 'Uma', 'Victor', 'Wen', 'Yara', 'Zoe',
] as const

export const SURNAMES = [
  'Adams', 'Baker', 'Chavez', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hassan', 'Ito', 'Jensen', 'Kim', 'Lopez',
  'Mendes', 'Nguyen', 'Okafor', 'Patel', 'Quispe', 'Rossi', 'Silva', 'Tanaka', 'Umar', 'Vargas', 'Wong', 'Yilmaz',
  'Zhang',
] as const

export const VEHICLES: readonly { make: string; model: string; seats: number }[] = [
  { make: 'Toyota', model: 'Prius', seats: 4 },
  { make: 'Toyota', model: 'Camry', seats: 4 },
  { make: 'Honda', model: 'Accord', seats: 4 },
  { make: 'Tesla', model: 'Model 3', seats: 4 },
  { make: 'Tesla', model: 'Model Y', seats: 4 },
  { make: 'Hyundai', model: 'Ioniq 5', seats: 4 },
  { make: 'Kia', model: 'Niro', seats: 4 },
  { make: 'Chevrolet', model: 'Bolt', seats: 4 },
  { make: 'Ford', model: 'Explorer', seats: 6 },
  { make: 'Honda', model: 'Odyssey', seats: 7 },
]

const PLATE_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ'

/** A California-style plate: digit, three letters, three digits (e.g. 8ABC123). */
export function plate(prng: Prng): string {
  const letter = (): string => prng.pick(PLATE_LETTERS.split(''))
  const digit = (): number => prng.int(0, 9)
  return `${prng.int(1, 9)}${letter()}${letter()}${letter()}${digit()}${digit()}${digit()}`
}
