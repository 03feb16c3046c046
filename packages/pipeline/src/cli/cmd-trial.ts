// bnlab trial HASH-PREFIX: one trial's configuration, final figures and curves, from its record.
import path from 'node:path';
import { workspaceRoot } from '../stages/workspace.js';
import { findTrial } from '../trials/find.js';
import { textChart } from '../util/text-chart.js';
import { BnlabError, parseFlags, UsageError, type Command } from './command.js';

const help = `Usage: bnlab trial HASH-PREFIX [--json]

Shows one trial from the workspace's trial store (results/trials/<hash[0:2]>/<hash>.json, shared by
every profile): its configuration, data and engine, its final accuracy, cost and loss on the training,
validation and test splits, how long it took, and its curves — accuracy, cost and the learning
rate against the update — as plain-text charts. The prefix is any number of the hash's first hex
digits (as \`bnlab plan\` and the run's lines show them); an unknown or ambiguous one is an error,
and so is a record that fails its checks (a changed digit): it is named, never shown.

Options:
  --json      print {file, hash, identity, result, meta} on stdout (the record as stored)
  -h, --help  show this help`;

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

interface HistoryPoint {
  update: number;
  eta: number;
  cost: { train: number; validation: number };
  accuracy: { train: number; validation: number };
}

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, 'trial', true);
    if (positionals.length !== 1) throw new UsageError(`trial: expected one hash prefix, got ${positionals.length} (see bnlab trial --help)`);
    const ws = workspaceRoot();
    const found = findTrial(ws, positionals[0]);
    if ('error' in found) throw new BnlabError(found.error);
    const { record: r } = found;
    const file = path.relative(ws, found.file);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ file, ...r }, null, 2)}\n`);
      return 0;
    }
    const c = r.identity.config as Record<string, unknown> & { hidden: number[]; init: { kind: string; sigma?: number } };
    const init = c.init.kind === 'normal' ? `N(0, ${c.init.sigma}²)` : c.init.kind;
    const res = r.result;
    const history = res.history as unknown as HistoryPoint[];
    const splits = ['train', 'validation', 'test'] as const;
    const lines = [
      `trial ${r.hash}`,
      `  record   ${file}`,
      `  net      hidden [${c.hidden.join(', ')}], ${c.batchNorm ? 'batch norm' : 'no batch norm'}, init ${init}`,
      `  training λ ${c.lambda}, η ${c.etaMin}…${c.etaMax} (cyclical, n_s ${c.ns} updates), batch ${c.batch}, ${c.cycles} cycle${c.cycles === 1 ? '' : 's'}, seed ${c.seed}`,
      `  data     '${r.identity.preparation}' preparation, fingerprint ${r.identity.dataFingerprint.slice(0, 12)}…`,
      `  engine   ${r.identity.engine}`,
      `  final    ${splits.map((s) => `${s} ${pct(res.accuracy[s])}`).join(', ')} accuracy${res.diverged ? ' (diverged)' : ''}`,
      `           cost ${splits.map((s) => `${s} ${num(res.cost[s])}`).join(', ')}`,
      `  computed ${r.meta.computeSeconds.toFixed(1)} s on ${r.meta.host} (${r.meta.worker}), finished ${r.meta.finishedAt}`,
      '',
      ...textChart(
        [
          { name: 'train', mark: '•', points: history.map((h) => [h.update, 100 * h.accuracy.train]) },
          { name: 'validation', mark: 'o', points: history.map((h) => [h.update, 100 * h.accuracy.validation]) },
        ],
        { title: 'accuracy (%)', xLabel: 'update' },
      ),
      '',
      ...textChart(
        [
          { name: 'train', mark: '•', points: history.map((h) => [h.update, h.cost.train]) },
          { name: 'validation', mark: 'o', points: history.map((h) => [h.update, h.cost.validation]) },
        ],
        { title: 'cost', xLabel: 'update' },
      ),
      '',
      ...textChart([{ name: 'η', mark: '*', points: history.map((h) => [h.update, h.eta]) }], { title: 'learning rate at the recorded updates', xLabel: 'update', height: 6 }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
