// html-to-text ships no types of its own: this is the one function `mailx inbox show` calls.
declare module 'html-to-text' {
  /** Plain text from an HTML document, wrapped at `wordwrap` columns. */
  export function convert(html: string, options?: { wordwrap?: number | false }): string
}
