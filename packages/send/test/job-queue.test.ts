import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JobQueue } from '../src/job-queue.js'

interface Job {
  seq: number
  state: string
}

const job = (seq: number): Job => ({ seq, state: 'new' })

function drain(queue: JobQueue<Job>): number[] {
  const out: number[] = []
  for (let next = queue.peek(); next !== undefined; next = queue.peek()) {
    queue.take()
    next.state = 'sending'
    out.push(next.seq)
  }
  return out
}

describe('JobQueue', () => {
  it('hands out jobs in submission order', () => {
    const queue = new JobQueue<Job>()
    for (const seq of [0, 1, 2, 3]) queue.add(job(seq))
    expect(queue.size).toBe(4)
    expect(drain(queue)).toEqual([0, 1, 2, 3])
    expect(queue.size).toBe(0)
  })

  it('puts a retried job back before every job submitted after it', () => {
    const queue = new JobQueue<Job>()
    const jobs = [0, 1, 2, 3, 4].map(job)
    for (const j of jobs) queue.add(j)
    queue.take() // 0 starts
    jobs[0]!.state = 'sending'
    queue.take() // 1 starts
    jobs[1]!.state = 'sending'
    queue.add(jobs[1]!) // 1 failed and is retried
    queue.add(jobs[0]!) // then 0
    expect(drain(queue)).toEqual([0, 1, 2, 3, 4])
  })

  it('skips a job that left while waiting', () => {
    const queue = new JobQueue<Job>()
    const jobs = [0, 1, 2].map(job)
    for (const j of jobs) queue.add(j)
    jobs[1]!.state = 'done'
    queue.left()
    expect(queue.size).toBe(2)
    expect(drain(queue)).toEqual([0, 2])
  })

  it('keeps order and count under any mix of adds, takes, retries and aborts', () => {
    const op = fc.constantFrom('add', 'take', 'retry', 'abort')
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new JobQueue<Job>()
        let seq = 0
        const waiting = new Set<Job>()
        const started: Job[] = []
        for (const o of ops) {
          if (o === 'add') {
            const j = job(seq++)
            queue.add(j)
            waiting.add(j)
          } else if (o === 'take') {
            const next = queue.peek()
            if (next === undefined) continue
            expect(next.seq).toBe(Math.min(...[...waiting].map((j) => j.seq)))
            queue.take()
            next.state = 'sending'
            waiting.delete(next)
            started.push(next)
          } else if (o === 'retry') {
            const j = started.shift()
            if (j === undefined) continue
            queue.add(j)
            waiting.add(j)
          } else {
            const j = [...waiting][0]
            if (j === undefined) continue
            j.state = 'done'
            queue.left()
            waiting.delete(j)
          }
          expect(queue.size).toBe(waiting.size)
        }
        expect(drain(queue)).toEqual([...waiting].map((j) => j.seq).sort((a, b) => a - b))
      }),
    )
  })
})
