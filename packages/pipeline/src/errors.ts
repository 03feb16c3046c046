// The errors every layer of the pipeline throws when the message is the whole story for the user:
// printed as one line, no stack (unless --debug). Below cli/ on purpose: config, data, stages and
// queue import them from here, and the CLI only catches them.

export class BnlabError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** A wrong flag or argument: a BnlabError the CLI words as a usage problem. */
export class UsageError extends BnlabError {}
