// A mistake in how dgmon was called (a flag, an existing file), as opposed to what the config says: exit code 2.
export class UsageError extends Error {}
