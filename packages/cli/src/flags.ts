import { type ParseArgsConfig, parseArgs } from 'node:util'
import { UsageError } from './output.js'
import { closest } from './suggest.js'

/** The flags of one command, as `node:util`'s parseArgs takes them. */
export type Options = NonNullable<ParseArgsConfig['options']>

/** What {@link parse} gives for a command's flags: their values and the positional arguments. */
export type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>

/**
 * Reads a command line against a command's flags. Whatever the parser would refuse is a
 * UsageError in the CLI's words: an unknown flag with the one most likely meant (`habits` maps
 * other tools' flags to ours), a flag without its value, a value given to a switch.
 *
 * @example
 * parse('send', ['--html', 'a.html'], sendOptions)
 * // UsageError: unknown option --html: did you mean --html-file? (see: mailx send --help)
 */
export function parse<T extends Options>(
  command: string,
  args: string[],
  options: T,
  habits: Record<string, string> = {},
): Parsed<T> {
  const problem = argumentProblem(args, options, habits)
  if (problem !== undefined) throw new UsageError(problem, command)
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments', command)
  }
}

/**
 * The first thing wrong with a command line, in the CLI's words: an unknown option with the one
 * meant, a missing value, a value given to a switch. Undefined when the parser will accept it.
 */
function argumentProblem(
  args: string[],
  options: Options,
  habits: Record<string, string>,
): string | undefined {
  const { tokens } = parseArgs({
    args,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  })
  const long = Object.keys(options)
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const raw = args[token.index] ?? token.rawName
    // `-from x` reads as `-f rom` (a short option with its value attached): say what was meant.
    const dashed = /^-([a-z][a-z0-9-]+)$/.exec(raw)?.[1]
    if (dashed !== undefined && long.includes(dashed)) return `did you mean --${dashed}?`
    const spec = options[token.name]
    if (spec === undefined) {
      const name = token.rawName.startsWith('--') ? token.name : undefined
      const meant =
        name === undefined ? undefined : (habits[name] ?? maybeFlag(closest(name, long)))
      return `unknown option ${token.rawName}${meant ? `: did you mean ${meant}?` : ''}`
    }
    if (spec.type === 'string' && (token.value === undefined || ambiguous(token))) {
      return `${token.rawName} needs a value (a value starting with '-' is written ${token.rawName}=-VALUE)`
    }
    if (spec.type === 'boolean' && token.inlineValue) return `${token.rawName} takes no value`
  }
  return undefined
}

/** A string option followed by what looks like another option (`--from -t`), as the parser sees it. */
function ambiguous(token: { value?: string | undefined; inlineValue?: boolean | undefined }) {
  const value = token.value
  return token.inlineValue === false && value !== undefined && value.length > 1 && value[0] === '-'
}

const maybeFlag = (name: string | undefined) => (name === undefined ? undefined : `--${name}`)
