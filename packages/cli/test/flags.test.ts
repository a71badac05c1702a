import { describe, expect, it } from 'vitest'
import { type Options, parse } from '../src/flags.js'
import { UsageError } from '../src/output.js'

const options = {
  from: { type: 'string', short: 'f' },
  'html-file': { type: 'string' },
  attach: { type: 'string', multiple: true },
  eml: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Options

const problem = (args: string[], habits?: Record<string, string>) => {
  try {
    parse('send', args, options, habits)
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    return (err as Error).message
  }
  throw new Error('expected a UsageError')
}

describe('parse', () => {
  it('returns the values and positionals of a good command line', () => {
    const { values, positionals } = parse('send', ['-f', 'a@x.test', '--json', 'extra'], options)
    expect(values).toEqual({ from: 'a@x.test', json: true })
    expect(positionals).toEqual(['extra'])
  })

  it('answers an unknown flag with the one meant, never with the parser text', () => {
    expect(problem(['--html', 'a.html'])).toBe(
      'unknown option --html: did you mean --html-file? (see: mailx send --help)',
    )
    expect(problem(['--attachment', 'a'])).toMatch(
      /^unknown option --attachment: did you mean --attach\?/,
    )
    expect(problem(['--form', 'a@x.test'])).toMatch(/did you mean --from\?/)
    expect(problem(['--verbose'])).toBe('unknown option --verbose (see: mailx send --help)')
    expect(problem(['-x'])).toBe('unknown option -x (see: mailx send --help)')
    expect(problem(['--server', 'h'], { server: '--smtp URL' })).toMatch(
      /did you mean --smtp URL\?/,
    )
  })

  it('reads -from as --from mistyped, not as -f with the value "rom"', () => {
    expect(problem(['-from', 'a@x.test'])).toBe('did you mean --from? (see: mailx send --help)')
  })

  it('names a flag without its value and a switch given one', () => {
    expect(problem(['--from'])).toMatch(/^--from needs a value/)
    expect(problem(['--from', '--json'])).toMatch(/^--from needs a value/)
    expect(problem(['--json=yes'])).toBe('--json takes no value (see: mailx send --help)')
  })

  it("takes '-' as a value (stdin) and a dash value written with =", () => {
    expect(parse('send', ['--eml', '-'], options).values.eml).toBe('-')
    expect(parse('send', ['--from=-x'], options).values.from).toBe('-x')
  })
})
