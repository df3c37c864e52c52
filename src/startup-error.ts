/**
 * A reason the process cannot start that the operator can fix (a data directory in use, a database that cannot
 * be reached): its message says what and where, so it is printed as one line, without a stack.
 */
export class StartupError extends Error {}
