import { BnlabError, type Command } from './command.js';

// Placeholder until its issue lands: says so plainly instead of pretending.
export const command: Command = {
  help: 'Usage: bnlab plan (not implemented yet)',
  async run() {
    throw new BnlabError('bnlab plan is not implemented yet');
  },
};
