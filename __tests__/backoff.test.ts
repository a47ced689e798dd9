import { allOrFirstError, backoffDelay, MAX_BACKOFF_MS, retryWithin } from '../src/backoff.js'

describe('backoffDelay', () => {
  test('grows exponentially with jitter inside [ceiling/2, ceiling], capped', () => {
    expect(backoffDelay(0, { baseMs: 100, random: () => 0 })).toBe(50)
    expect(backoffDelay(0, { baseMs: 100, random: () => 1 })).toBe(100)
    expect(backoffDelay(3, { baseMs: 100, random: () => 1 })).toBe(800)
    expect(backoffDelay(30, { baseMs: 100, random: () => 1 })).toBe(MAX_BACKOFF_MS)
    expect(backoffDelay(30, { baseMs: 10, maxMs: 200, random: () => 1 })).toBe(200)
  })
})

describe('retryWithin', () => {
  test('polls with doubling waits until done, and stops before a wait would pass the timeout', async () => {
    let t = 0
    const waits: number[] = []
    const sleep = async (ms: number) => {
      waits.push(ms)
      t += ms
    }
    const tries: number[] = []
    const last = await retryWithin(
      1000,
      async n => {
        tries.push(n)
        return n
      },
      () => false,
      { firstMs: 100, maxMs: 400, sleep, now: () => t }
    )
    // 100 + 200 + 400 = 700; the next 400 would end at 1100, past 1000
    expect(waits).toEqual([100, 200, 400])
    expect(tries).toEqual([1, 2, 3, 4])
    expect(last).toBe(4)
  })
  test('returns at once when the first try is done', async () => {
    let slept = 0
    const sleep = async () => {
      slept++
    }
    expect(
      await retryWithin(
        1000,
        async () => 'ok',
        r => r === 'ok',
        { firstMs: 100, maxMs: 400, sleep }
      )
    ).toBe('ok')
    expect(slept).toBe(0)
  })
})

describe('allOrFirstError', () => {
  test('returns the values in order', async () => {
    expect(await allOrFirstError([Promise.resolve(1), new Promise<number>(r => setTimeout(() => r(2), 5)), Promise.resolve(3)])).toEqual([1, 2, 3])
  })
  test('waits for every promise, then throws the first rejection in array order, not in time', async () => {
    let lateSettled = false
    const late = new Promise<number>((_, reject) =>
      setTimeout(() => {
        lateSettled = true
        reject(new Error('first in order'))
      }, 20)
    )
    const early = Promise.reject(new Error('first in time'))
    const slow = new Promise<number>(r => setTimeout(() => r(1), 40))
    let slowDone = false
    void slow.then(() => {
      slowDone = true
    })
    await expect(allOrFirstError([late, early, slow])).rejects.toThrow('first in order')
    expect(lateSettled).toBe(true)
    expect(slowDone).toBe(true)
  })
})
