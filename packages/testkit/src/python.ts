/** Debian's interpreter: it has aiosmtpd and dkim; the pyenv `python3` on PATH has not. */
export const PYTHON = '/usr/bin/python3'
