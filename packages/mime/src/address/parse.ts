/**
 * Address parser for the string forms of RFC 5322 section 3.4: a hand-written scanner that reads
 * each character once (no backtracking regex), so hostile input costs linear time.
 */
import { MimeError } from '../errors.js'
import type { AddressEntry, Mailbox } from './types.js'

/** RFC 5322 3.2.3 atext, widened by RFC 6532 section 3.2 to every non-ASCII character. */
const ATEXT = new Uint8Array(128)
for (const ch of "!#$%&'*+-/=?^_`{|}~") ATEXT[ch.charCodeAt(0)] = 1
for (let c = 48; c <= 57; c++) ATEXT[c] = 1
for (let c = 65; c <= 90; c++) ATEXT[c] = 1
for (let c = 97; c <= 122; c++) ATEXT[c] = 1

export function isAtext(c: number): boolean {
  return c >= 128 || ATEXT[c] === 1
}

interface Word {
  /** A comment is kept as "(text)" where it sits in a display name, and ignored elsewhere. */
  kind: 'atom' | 'quoted' | 'dot' | 'comment'
  value: string
  spaceBefore: boolean
}

class Scanner {
  s = ''
  field = ''
  i = 0
  /** The text of every comment read so far, in order, without its outer parentheses. */
  comments: string[] = []

  /** Starts reading `s` from its beginning; errors name `field`. */
  reset(s: string, field: string): this {
    this.s = s
    this.field = field
    this.i = 0
    this.comments = []
    return this
  }

  fail(message: string): never {
    const at = this.i < this.s.length ? ` at position ${this.i}` : ' at the end'
    throw new MimeError(this.field, `${message}${at} in address "${excerpt(this.s)}"`)
  }

  peek(): number {
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1
  }

  /**
   * Skips CFWS (RFC 5322 3.2.2): spaces, tabs and nested comments, whose text goes to
   * `comments`. Returns whether any.
   */
  skipCfws(): boolean {
    const start = this.i
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i)
      if (c === 32 || c === 9) this.i++
      else if (c === 40) this.comments.push(this.comment())
      else break
    }
    return this.i > start
  }

  /** A comment's text: nested comments kept with their parentheses, quoted-pairs undone. */
  private comment(): string {
    let depth = 0
    let text = ''
    const s = this.s
    let run = this.i + 1
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i)
      if (c === 92) {
        text += s.slice(run, this.i)
        run = this.i + 1
        this.i += 2
        continue
      }
      this.i++
      if (c === 40) depth++
      else if (c === 41 && --depth === 0) return (text + s.slice(run, this.i - 1)).trim()
    }
    this.fail('unterminated comment')
  }

  atom(): string {
    const start = this.i
    while (this.i < this.s.length && isAtext(this.s.charCodeAt(this.i))) this.i++
    return this.s.slice(start, this.i)
  }

  /** RFC 5322 3.2.4 quoted-string, returning its value with quoted-pairs resolved. */
  quoted(): string {
    const s = this.s
    this.i++
    let value = ''
    let run = this.i
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i)
      if (c === 34) {
        value += s.slice(run, this.i)
        this.i++
        return value
      }
      if (c === 92) {
        value += s.slice(run, this.i)
        if (this.i + 1 >= s.length) break
        run = this.i + 1
        this.i += 2
      } else this.i++
    }
    this.fail('unterminated quoted string')
  }

  /** Words and dots of a phrase or a local part, up to the first other special. */
  words(): Word[] {
    const words: Word[] = []
    for (;;) {
      const seen = this.comments.length
      const spaceBefore = this.skipCfws()
      for (let k = seen; k < this.comments.length; k++) {
        words.push({ kind: 'comment', value: `(${this.comments[k]})`, spaceBefore: true })
      }
      const c = this.peek()
      if (c === 34) words.push({ kind: 'quoted', value: this.quoted(), spaceBefore })
      else if (c === 46) {
        this.i++
        words.push({ kind: 'dot', value: '.', spaceBefore })
      } else if (c !== -1 && isAtext(c))
        words.push({ kind: 'atom', value: this.atom(), spaceBefore })
      else return words
    }
  }

  /** RFC 5322 3.4.1 local-part from scanned words: word *("." word), comments left out. */
  localPart(scanned: Word[]): string {
    const words = scanned.filter((w) => w.kind !== 'comment')
    if (words.length === 0) this.fail('missing local part before "@"')
    let local = ''
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!
      const expectDot = w % 2 === 1
      if ((word.kind === 'dot') !== expectDot) {
        this.fail(
          expectDot ? 'local part words must be joined by "."' : 'misplaced "." in local part',
        )
      }
      if (word.kind === 'quoted' && (word.value.includes('<') || word.value.includes('>'))) {
        this.fail('quoted local part contains "<" or ">"')
      }
      local += word.value
    }
    if (words.length % 2 === 0) this.fail('local part ends with "."')
    return local
  }

  /** RFC 5322 3.4.1 domain: dot-atom or domain-literal. */
  domain(): string {
    this.skipCfws()
    let domain: string
    if (this.peek() === 91) {
      const start = this.i
      this.i++
      for (;;) {
        const c = this.peek()
        if (c === 93) break
        // dtext: printable ASCII except '[', ']' and '\'.
        if (c < 33 || c > 126 || c === 91 || c === 92) this.fail('invalid domain literal')
        this.i++
      }
      this.i++
      domain = this.s.slice(start, this.i)
    } else {
      domain = this.atom()
      if (domain === '') this.fail('missing domain after "@"')
      while (this.peek() === 46) {
        this.i++
        const label = this.atom()
        if (label === '') this.fail('empty domain label')
        domain += '.' + label
      }
    }
    this.skipCfws()
    return domain
  }

  /** addr-spec after an already scanned local part; the '@' is the current character. */
  addrSpecAfter(words: Word[]): Mailbox {
    const local = this.localPart(words)
    this.i++
    return { name: '', local, domain: this.domain() }
  }

  /** angle-addr after its display name; the '<' is the current character. */
  angleAddr(name: string): Mailbox {
    this.i++
    const inner = this.words()
    if (this.peek() !== 64) this.fail('expected "@" inside "<…>"')
    const mailbox = this.addrSpecAfter(inner)
    if (this.peek() !== 62) this.fail('expected ">"')
    this.i++
    this.skipCfws()
    mailbox.name = name
    return mailbox
  }

  /**
   * mailbox, or a group when `allowGroup`; the scanner stops after it. Comments from index
   * `seen` on belong to this entry (the caller may have skipped some already).
   */
  entry(allowGroup: boolean, seen = this.comments.length): AddressEntry {
    this.skipCfws()
    const start = this.i
    const words = this.words()
    const c = this.peek()
    if (c === 64) {
      const mailbox = this.addrSpecAfter(words)
      if (this.peek() !== 60) {
        // 'bob@example.com (Bob Smith)': the older form of a display name, read as one the way
        // Python's email.utils and Nodemailer do.
        mailbox.name = this.comments.slice(seen).join(' ')
        return mailbox
      }
      // 'bob@example.com <bob@example.com>': an unquoted address used as a display name, as
      // many programs write it. Take that text as the name rather than refuse the mailbox.
      return this.angleAddr(this.s.slice(start, this.i).trim())
    }
    if (c === 60) return this.angleAddr(phrase(words))
    if (c === 58 && allowGroup && words.length > 0) {
      this.i++
      const members: Mailbox[] = []
      for (;;) {
        const seenHere = this.comments.length
        this.skipCfws()
        const d = this.peek()
        if (d === 59) break
        if (d === 44) {
          this.i++
          continue
        }
        if (d === -1) this.fail('unterminated group (missing ";")')
        members.push(this.entry(false, seenHere) as Mailbox)
        const e = this.peek()
        if (e !== 44 && e !== 59) this.fail('expected "," or ";" in group')
      }
      this.i++
      this.skipCfws()
      return { group: phrase(words), members }
    }
    if (words.length === 0) this.fail(c === -1 ? 'expected an address' : 'unexpected character')
    this.fail(c === -1 ? 'missing "@"' : 'unexpected character')
  }
}

/** Display name value: words joined by one space where any whitespace separated them. */
function phrase(words: Word[]): string {
  let out = ''
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!
    if (w > 0 && word.spaceBefore) out += ' '
    out += word.value
  }
  return out
}

function excerpt(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s
}

/**
 * The one scanner, reset for each parse (parsing is synchronous, so no two parses share it).
 * Besides sparing an allocation, it keeps the scanner's object shape alive: V8 drops a shape at
 * a full collection once no live object has it, and with it the optimised parser code that
 * depends on it, and the next messages were then built several times slower.
 */
const scanner = new Scanner()

/**
 * Parses a comma-separated address list (RFC 5322 3.4 address-list, with groups when
 * `allowGroups`). Empty elements between commas are skipped, as RFC 5322 4.4 allows.
 *
 * @example parseAddressList('"Doe, Jane" <jane@example.com>, bob@example.org', 'to', true)
 */
export function parseAddressList(
  input: string,
  field: string,
  allowGroups: boolean,
): AddressEntry[] {
  const scan = scanner.reset(input, field)
  try {
    const entries: AddressEntry[] = []
    for (;;) {
      const seen = scan.comments.length
      scan.skipCfws()
      const c = scan.peek()
      if (c === -1) return entries
      if (c === 44) {
        scan.i++
        continue
      }
      entries.push(scan.entry(allowGroups, seen))
      const d = scan.peek()
      if (d !== -1 && d !== 44) scan.fail('expected ","')
    }
  } finally {
    scan.reset('', '')
  }
}

/** Parses a bare addr-spec (`local@domain`), as in the object form's `address`. */
export function parseAddrSpec(input: string, field: string): Mailbox {
  const scan = scanner.reset(input, field)
  try {
    const words = scan.words()
    if (scan.peek() !== 64) scan.fail(words.length === 0 ? 'expected an address' : 'missing "@"')
    const mailbox = scan.addrSpecAfter(words)
    if (scan.peek() !== -1) scan.fail('unexpected character after the address')
    if (scan.comments.length > 0) scan.fail('a comment in a bare address (give the name apart)')
    return mailbox
  } finally {
    scan.reset('', '')
  }
}
