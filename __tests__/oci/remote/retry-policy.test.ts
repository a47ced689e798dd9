import { isRetriableStatus, parseRetryAfter } from '../../../src/oci/remote/retry-policy.js'

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

describe('retriable statuses', () => {
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
