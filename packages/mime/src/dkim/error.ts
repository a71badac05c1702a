import { MimeError } from '../errors.js'

/** Every DKIM failure is a MimeError naming the option at fault, never an unsigned message. */
export function dkimError(field: string, message: string, cause?: unknown): MimeError {
  const error = new MimeError(field, message)
  if (cause !== undefined) (error as Error & { cause?: unknown }).cause = cause
  return error
}
