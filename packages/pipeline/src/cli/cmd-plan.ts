// bnlab plan: the study's graph under a profile, every stage's and trial's cache status, the work left.
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { FASHION_MNIST_SYSTEM_DIR, resolveCifar10Dir } from '../data/index.js';
import type { StageEnv } from '../stages/context.js';
import { PREPARATIONS, prepare } from '../stages/data.js';
import { estimateStudy, type StudyEstimate } from '../stages/estimate.js';
import { planStudy, type StudyPlan } from '../stages/plan.js';
import { formatSeconds } from '../stages/progress.js';
import type { DataSizes } from '../trials/cost.js';
import { openStudy } from '../stages/workspace.js';
import { checkStudyLimits } from '../stages/limits.js';
import { intFlag, parseFlags, type Command } from './command.js';
import { spareThreads, threadsFlag } from './cmd-train.js';

const help = `Usage: bnlab plan [-c|--profile NAME] [--config FILE] [--kernel ID] [--workers N] [--threads N] [--json]

Lists the study's profiles and prints its graph under one profile: each stage, what it depends on,
whether its result (results/<profile>/<stage>/result.json) is current, and how many of its trials
the trial store (results/trials/) holds; then the work left. Looks only: nothing is
trained or deleted (preparing the data may fill its cache in .bnlab/data). When the data files are
present, their fingerprints are checked against the data stage's result; trial hashes use the
fingerprints in that result.

A training stage is current when its configuration is unchanged, all its trials are stored and
aggregating them gives exactly its result.json. The trials of a stage that reads another (from:)
depend on that stage's result: until it is current, their counts are the configured sizes.

Always ends with the time the work left takes on this machine (0 s when every stage is current):
each trial's multiply-adds (updates × batch × the net's forward multiply-adds × 3, plus its history
evaluations) at one worker's rate, measured from the trials timed on this host with this engine
(meta.computeSeconds of the records under results/), else by a short calibration run of the
kernel on the run's thread count, divided among the workers.

Options:
  -c, --profile NAME  the profile (default: env NX_TASK_TARGET_CONFIGURATION, else 'default')
  --config FILE       the study file (default: experiments.yaml at the workspace root)
  --kernel ID         plan for this kernel instead of the study's
  --workers N         estimate for N workers, as bnlab run --workers (default: the study's, else one per core)
  --threads N         estimate for N threads per worker, as bnlab run --threads
  --json              print the plan as JSON on stdout (schema: packages/pipeline/schemas/plan.schema.json),
                      with every trial's hash, label and whether it is stored
  -h, --help          show this help`;

export const command: Command = {
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        profile: { type: 'string', short: 'c' }, config: { type: 'string' }, kernel: { type: 'string' },
        workers: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' },
      },
      'plan',
    );
    const env = openStudy({ profile: values.profile, config: values.config, kernel: values.kernel });
    checkStudyLimits(env.study, path.relative(process.cwd(), env.configFile) || env.configFile);
    const workers = intFlag(values.workers, 'workers', env.study.workers ?? availableParallelism(), 1);
    const threads = threadsFlag(values.threads, env.kernel, spareThreads(workers));
    const warn = (line: string) => process.stderr.write(`bnlab: ${line}\n`);
    const prepared = await preparedHere(env, warn);
    const plan = planStudy(env, warn, prepared && Object.fromEntries(Object.entries(prepared).map(([k, p]) => [k, p.fingerprint])));
    const estimate = estimateStudy(env, plan, { workers, threads, prepared });
    if (values.json) process.stdout.write(`${JSON.stringify({ ...plan, estimate }, null, 2)}\n`);
    else process.stdout.write(`${[...formatPlan(plan), formatEstimate(estimate)].join('\n')}\n`);
    return 0;
  },
};

/**
 * The prepared data's fingerprints and sizes, when the data files are here (from the binary cache:
 * fast). Never downloads: without the files the data stage's result is trusted and the plan says so.
 */
async function preparedHere(env: StageEnv, warn: (line: string) => void): Promise<Record<string, DataSizes & { fingerprint: string }> | undefined> {
  const d = env.study.data;
  const dir = d.dataset === 'cifar10'
    ? resolveCifar10Dir(d.dir, process.env, env.workspace).dir
    : d.dir ? path.resolve(env.workspace, d.dir) : FASHION_MNIST_SYSTEM_DIR;
  if (!existsSync(dir) || readdirSync(dir).length === 0) return undefined;
  const out: Record<string, DataSizes & { fingerprint: string }> = {};
  for (const name of PREPARATIONS) {
    const p = await prepare(env, name, warn);
    out[name] = { d: p.d, K: p.classes.length, ...p.splits, fingerprint: p.fingerprint };
  }
  return out;
}

export function formatEstimate(e: StudyEstimate): string {
  if (e.seconds === null) return `time left: unknown (${e.source})`;
  if (e.seconds === 0) return 'time left: 0s';
  const stages = Object.entries(e.stages).map(([s, v]) => `${s} ${formatSeconds(v)}`).join(', ');
  return `time left: about ${formatSeconds(e.seconds)} on this machine with ${e.workers} worker${e.workers === 1 ? '' : 's'} (${stages}; rate from ${e.source})`;
}

export function formatPlan(plan: StudyPlan): string[] {
  const lines = [
    `profiles: ${plan.profiles.map((p) => (p === plan.profile ? `[${p}]` : p)).join(', ')}`,
    `engine: ${plan.engine}`,
    plan.dataChecked ? 'data: fingerprints checked against the data files' : 'data: files not found here; the data stage\'s fingerprints are trusted',
    '',
  ];
  const w = Math.max(...plan.stages.map((s) => s.stage.length));
  for (const s of plan.stages) {
    const deps = s.dependsOn.length > 0 ? ` ← ${s.dependsOn.join(', ')}` : '';
    const status = s.result + (s.reason ? ` (${s.reason})` : '');
    lines.push(`${s.stage.padEnd(w)}  ${status}${deps}`);
    const t = s.trials;
    if (!t) continue;
    if (!t.known) {
      lines.push(`${''.padEnd(w)}    ${t.total} trials, not known until its upstream results are current`);
      continue;
    }
    lines.push(`${''.padEnd(w)}    ${t.stored}/${t.total} trials stored${t.missing > 0 ? `, ${t.missing} to train:` : ''}`);
    for (const x of t.list) if (!x.stored) lines.push(`${''.padEnd(w)}      ${x.hash.slice(0, 12)}  ${x.label}`);
  }
  lines.push('');
  const left = `${plan.trialsLeft}${plan.trialsUnknown ? ' (some counted from the configuration)' : ''}`;
  lines.push(`work left: ${left} trials to train; ${plan.stagesToRun.length > 0 ? `stages to run: ${plan.stagesToRun.join(', ')}` : 'every stage is current'}`);
  return lines;
}
