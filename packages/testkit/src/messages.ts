/**
 * The closing parts of a multipart/mixed test message, as lines without line ends: a PDF
 * attachment `report.pdf` and an inline PNG `logo.png` (Content-ID `<logo@example.com>`), both
 * base64, then the closing delimiter of `boundary` and an empty last line.
 */
export function attachmentPartLines(boundary: string): string[] {
  return [
    `--${boundary}`,
    'Content-Type: application/pdf',
    'Content-Disposition: attachment; filename="report.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 test').toString('base64'),
    `--${boundary}`,
    'Content-Type: image/png',
    'Content-Disposition: inline; filename="logo.png"',
    'Content-ID: <logo@example.com>',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('png bytes').toString('base64'),
    `--${boundary}--`,
    '',
  ]
}
