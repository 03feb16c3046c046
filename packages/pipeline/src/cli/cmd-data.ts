import { BnlabError, type Command } from './command.js';

// Placeholder until its issue lands: says so plainly instead of pretending.
export const command: Command = {
  help: 'Usage: bnlab data (not implemented yet)',
  async run() {
    throw new BnlabError('bnlab data is not implemented yet');
  },
};
