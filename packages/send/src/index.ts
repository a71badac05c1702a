export const placeholder = 'send'
