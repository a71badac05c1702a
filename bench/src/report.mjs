// One markdown table per section. Every row: our figure, Nodemailer's, the reference (floor or
// ceiling) where there is one, the two ratios, the target and whether it is met.
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN)
export const fmtRatio = (r) =>
  Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x` : '—'

/**
 * @param {{ title: string, rows: Row[], notes: string[] }} section
 * Row = { figure, ours?, nodemailer?, reference?, vsNodemailer?, vsReference?, target?, pass? }
 */
export function renderSection(section) {
  const head =
    '| Figure | Ours | Nodemailer | Floor / ceiling | Ours ÷ Nodemailer | Ours ÷ floor / ceiling | Target | Result |\n' +
    '|---|---:|---:|---:|---:|---:|---|---|\n'
  const body = section.rows
    .map((r) => {
      const verdict = r.pass === true ? 'pass' : r.pass === false ? '**FAIL**' : '—'
      const cells = [
        r.figure,
        r.ours ?? '—',
        r.nodemailer ?? '—',
        r.reference ?? '—',
        fmtRatio(r.vsNodemailer),
        fmtRatio(r.vsReference),
        r.target ?? '—',
        verdict,
      ]
      return `| ${cells.join(' | ')} |`
    })
    .join('\n')
  const notes = section.notes.length ? `\n\n${section.notes.map((n) => `- ${n}`).join('\n')}` : ''
  return `### ${section.title}\n\n${head}${body}${notes}\n`
}
