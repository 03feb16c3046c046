// bnlab serve: a local, read-only web page of the workspace's studies, live while stages run.
import { BnlabError, intFlag, parseFlags, type Command } from './command.js';
import { openStudy } from '../stages/workspace.js';
import { LOOPBACK, startServer } from '../serve/server.js';
import { studyViews } from '../serve/study-view.js';

export const DEFAULT_PORT = 8765;

const help = `Usage: bnlab serve [-c|--profile NAME] [--config FILE] [--port N] [--host H]

Serves a read-only web page of the study in experiments.yaml: the stage graph with each stage's
state (current, stale, running, failed, missing) and trial counts; the trials running now, with
their progress, curves growing live and the study's ETA; every stage's charts (drawn by the report's
own chart functions) and tables; a table of every trial, sortable, filterable by any option and
paged; and two profiles side by side. Runs started by \`bnlab run\` or \`npx nx run pipeline:…\`
publish their progress in .bnlab/progress/, which the page follows without reloading.

Options:
  -c, --profile NAME  the profile the page opens with (default: 'default'); the page switches
                      between every profile of the study
  --config FILE       the study file (default: experiments.yaml at the workspace root)
  --port N            the port (default: ${DEFAULT_PORT}; 0: any free port, printed)
  --host H            the address to listen on (default: 127.0.0.1). There is no authentication:
                      anything but loopback lets everyone who can reach it read the study
  -h, --help          show this help

Stops on Ctrl-C.`;

export const command: Command = {
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { profile: { type: 'string', short: 'c' }, config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
      'serve',
    );
    // The flag, not NX_TASK_TARGET_CONFIGURATION: the page is not an Nx task.
    const env = openStudy({ profile: values.profile ?? 'default', config: values.config }, { ...process.env, NX_TASK_TARGET_CONFIGURATION: '' });
    const port = intFlag(values.port, 'port', DEFAULT_PORT, 0, 65535);
    const host = values.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) {
      process.stderr.write(`bnlab: serve: warning: listening on ${host} without authentication: anyone who can reach it can read the study\n`);
    }
    const views = studyViews({ workspace: env.workspace, configFile: env.configFile });
    let running;
    try {
      running = await startServer({ workspace: env.workspace, views, host, port, profile: env.study.profile });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new BnlabError(`serve: port ${port} on ${host} is in use (another \`bnlab serve\`?); choose another with --port, or --port 0 for any free one`);
      if (code === 'EACCES') throw new BnlabError(`serve: not allowed to listen on port ${port} of ${host}; choose a port above 1023`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new BnlabError(`serve: cannot listen on '${host}': not an address of this machine`);
      throw err;
    }
    const server = running;
    // Stop handlers before the URL is printed: whoever reads it may signal at once.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stdout.write(`bnlab serve: ${running.url} (profile ${env.study.profile}; read-only; Ctrl-C to stop)\n`);
    await stopped;
    return 0;
  },
};
