/** The command's deadline on a virtual clock. */
import { Deadline, DEFAULT_DEADLINE_SECONDS, formatSeconds } from '../../../src/oci/remote/deadline.js'

test('a wait is allowed only when it ends by the deadline; a restart starts a new budget', () => {
  let t = 1_000_000
  const d = new Deadline(10_000, 'the command deadline', () => t)
  expect(d.allows(10_000)).toBe(true)
  expect(d.allows(10_001)).toBe(false)
  t += 9_000
  expect(d.remainingMs()).toBe(1_000)
  expect(d.allows(2_000)).toBe(false)
  d.restart(30_000, 'verify-timeout')
  expect(d.allows(2_000)).toBe(true)
  expect(d.describe()).toBe('verify-timeout (30 s)')
  t += 60_000
  expect(d.remainingMs()).toBe(0)
  expect(d.allows(0)).toBe(false)
})

test("a caller's budget (a read-back's verify-timeout) ends where it says, whenever a call of it starts, and is named whole", () => {
  let t = 1_000_000
  const budget = { label: 'verify-timeout', ms: 30_000, startedAt: t }
  t += 25_000 // a later read of the same read-back
  const d = Deadline.of(budget, () => t)
  expect(d.remainingMs()).toBe(5_000)
  expect(d.allows(5_000)).toBe(true)
  expect(d.allows(5_001)).toBe(false)
  expect(d.describe()).toBe('verify-timeout (30 s)')
})

test('the default is the documented one', () => {
  expect(DEFAULT_DEADLINE_SECONDS).toBe(120)
  expect(new Deadline().describe()).toBe('the command deadline (120 s)')
})

test.each([
  [250, '250 ms'],
  [1000, '1 s'],
  [2500, '2.5 s'],
  [119_000, '119 s'],
  [120_000, '120 s'],
  [180_000, '3 min'],
  [200_000, '3 min 20 s'],
  [3_600_000, '1 h'],
  [5_400_000, '1 h 30 min']
])('%i ms reads %s', (ms, text) => {
  expect(formatSeconds(ms)).toBe(text)
})
