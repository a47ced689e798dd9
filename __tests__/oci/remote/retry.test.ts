import { backoffDelay, isRetriableStatus, MAX_BACKOFF_MS, parseRetryAfter } from '../../../src/oci/remote/retry.js'

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z')
  test.each([
    ['0', 0],
    ['3', 3000],
    ['1.5', 1500],
    // not capped here: the command's deadline decides whether a wait is taken
    ['86400', 86_400_000],
    ['Wed, 01 May 2024 12:00:05 GMT', 5000],
    ['Wed, 01 May 2024 11:59:00 GMT', 0],
    ['Thu, 02 May 2024 12:00:00 GMT', 86_400_000],
    ['soon', undefined],
    ['', undefined],
    ['-1', undefined]
  ])('%j → %j', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms)
  })
  test('absent', () => {
    expect(parseRetryAfter(null)).toBeUndefined()
  })
})

describe('backoff', () => {
  test('Retry-After wins over the exponential delay', () => {
    expect(backoffDelay(3, 1234)).toBe(1234)
  })
  test('grows exponentially with jitter inside [ceiling/2, ceiling], capped', () => {
    expect(backoffDelay(0, undefined, 100, () => 0)).toBe(50)
    expect(backoffDelay(0, undefined, 100, () => 1)).toBe(100)
    expect(backoffDelay(3, undefined, 100, () => 1)).toBe(800)
    expect(backoffDelay(30, undefined, 100, () => 1)).toBe(MAX_BACKOFF_MS)
  })
  test.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [404, false],
    [501, false]
  ])('status %i retriable: %s', (status, retriable) => {
    expect(isRetriableStatus(status)).toBe(retriable)
  })
})
