/**
 * The wire policy: every line-format choice @mail/mime makes, defined once (in the spirit of
 * Python's `email.policy`). Encoders, header folding and DKIM import these; no other file
 * spells the numbers.
 */

/** RFC 5322 section 2.1 and RFC 2045 section 2.1: the one line separator, CR LF. */
export const CRLF = '\r\n'

/** RFC 5322 section 2.1.1: a line SHOULD be at most 78 characters (CRLF excluded): folding width. */
export const FOLD_WIDTH = 78

/**
 * RFC 2045 sections 6.7 and 6.8, RFC 2047 section 2: quoted-printable and base64 lines, and
 * header lines holding encoded-words, are at most 76 characters.
 */
export const ENCODED_WIDTH = 76

/** RFC 5322 section 2.1.1 and RFC 5321 section 4.5.3.1.6: no line over 998 octets, CRLF excluded. */
export const MAX_LINE = 998
