// Bad command-line usage: printed as one line on stderr, exit code 2.
export class UsageError extends Error {}

export const USAGE_EXIT_CODE = 2;
