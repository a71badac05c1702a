export const placeholder = 'smtp'
