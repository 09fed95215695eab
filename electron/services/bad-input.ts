/**
 * Input that cannot be used: the message is one line, naming no file (callers prefix it). In a
 * module of its own: the host's launcher writes files without loading the story core.
 */
export class BadInputError extends Error {
  override name = 'BadInputError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(reason);
  }
}
