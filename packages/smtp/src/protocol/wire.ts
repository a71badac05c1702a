// The wire policy of @mail/smtp: every separator and size limit of the protocol, defined once
// and imported wherever a line is written, read or measured.

/** RFC 5321 2.3.8: every command, reply and message line ends in CRLF. */
export const CRLF = '\r\n'
export const CR = 0x0d
export const LF = 0x0a
/** The octet dot-stuffing doubles at a line start (RFC 5321 4.5.2). */
export const DOT = 0x2e

/**
 * RFC 5321 4.1.1.4: the end of the message data, a line holding only '.' (after the CRLF that
 * ends the content's last line).
 */
export const DATA_END = `.${CRLF}`

/** RFC 5322 2.1.1, RFC 5321 4.5.3.1.6: at most 998 octets per line, CRLF excluded. */
export const MAX_LINE_OCTETS = 998

/** RFC 5321 4.5.3.1.1-2: a local part of 64 octets, '@', a domain of 255. */
export const MAX_ADDRESS_LENGTH = 320

/**
 * One reply line. RFC 5321 4.5.3.1.5 allows 512 octets; servers exceed that in practice, so be
 * generous, but bounded: an endless line never fills memory.
 */
export const MAX_REPLY_LINE_OCTETS = 16 * 1024

/**
 * One whole reply (a multiline reply counts all its lines). An EHLO reply has a few dozen lines;
 * a server sending '250-...' forever is stopped here instead of exhausting memory.
 */
export const MAX_REPLY_LINES = 512
export const MAX_REPLY_OCTETS = 256 * 1024
