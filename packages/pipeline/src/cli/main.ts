// bnlab command line: dispatches to one module per subcommand (cli/cmd-<name>.ts).
// Every command module exports `command: Command`. Errors reach the user as one line, exit 1;
// the stack only with --debug.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BnlabError, UsageError, type Command } from './command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  data: { summary: 'prepare a data set and describe it', load: () => import('./cmd-data.js') },
  gradcheck: { summary: 'compare analytic and numerical gradients', load: () => import('./cmd-gradcheck.js') },
  train: { summary: 'train one network on the prepared data', load: () => import('./cmd-train.js') },
  eval: { summary: 'evaluate a saved network on the test split', load: () => import('./cmd-eval.js') },
  run: { summary: 'run one stage of the study in experiments.yaml', load: () => import('./cmd-run.js') },
  plan: { summary: "show the study's graph, cache status and work left", load: () => import('./cmd-plan.js') },
  serve: { summary: 'a live, read-only web page of the study (local)', load: () => import('./cmd-serve.js') },
  bench: { summary: 'measure kernels, epochs and worker throughput', load: () => import('./cmd-bench.js') },
  worker: { summary: 'serve trials from a Redis queue (BullMQ)', load: () => import('./cmd-worker.js') },
  gc: { summary: 'remove prepared data and trial records no declared study uses', load: () => import('./cmd-gc.js') },
  show: { summary: "every stage's state and key numbers, or one stage's tables", load: () => import('./cmd-show.js') },
  compare: { summary: 'two profiles side by side, with the differences', load: () => import('./cmd-compare.js') },
  trial: { summary: "one trial's configuration, figures and curves", load: () => import('./cmd-trial.js') },
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
  return pkg.version as string;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: bnlab <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  --help, -h   show help (also after a command: bnlab train --help)',
    '  --version    print the version',
    '  --debug      show stack traces on errors',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      console.log(usage());
      return name === undefined ? 1 : 0;
    }
    if (name === '--version' || name === '-v') {
      console.log(version());
      return 0;
    }
    const entry = COMMANDS[name];
    if (!entry) throw new UsageError(`unknown command '${name}' (see bnlab --help)`);
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.help);
      return 0;
    }
    return await command.run(rest, { debug });
  } catch (err) {
    reportError(err, debug);
    return err instanceof BnlabError ? err.exitCode : 1;
  }
}

export function reportError(err: unknown, debug: boolean): void {
  if (debug && err instanceof Error && err.stack) console.error(err.stack);
  else console.error(`bnlab: ${err instanceof Error ? err.message : String(err)}`);
}
