// bnlab eval: evaluates a network saved by `bnlab train --save` on the test split of its data set,
// standardised with the normalisation statistics saved with the network.
import { deserializeModel, engineIdentity, evaluate, loadNetwork, type Model } from '@bnlab/engine';
import { existsSync, readFileSync } from 'node:fs';
import { BnlabError, parseFlags, UsageError, type Command } from './command.js';
import { dataFlags, dataOptions } from './cmd-data.js';
import { kernelFromFlag, type SavedModelExtra } from './cmd-train.js';
import { prepareDataset, type PreparedDataset, type Split } from '../data/index.js';

const help = `Usage: bnlab eval --model FILE [--dataset NAME] [--dir DIR] [--kernel ID] [--threads N] [--json]

Evaluates a network saved by bnlab train --save on the test split: cost, loss and accuracy. The
test images are standardised with the mean and std saved with the network (the statistics of the
training split it was trained on), whatever the current preparation.

Options:
  --model FILE       a file written by bnlab train --save (required)
  --dataset NAME     cifar10 or fashion-mnist (default: the network's)
  --dir DIR          directory holding the data set's files (see bnlab data --help)
  --validation N     validation images of the preparation (default: the network's)
  --kernel ID        compute kernel (default: the fastest available)
  --threads N        threads sharing the large matrix products (see bnlab train --help)
  --json             print {model, dataset, n, accuracy, cost, loss, config, engine} on stdout
  --help             show this help`;

export const command: Command = {
  help,
  async run(argv) {
    const { values } = parseFlags(argv, { ...dataFlags, model: { type: 'string' }, kernel: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } }, 'eval');
    if (!values.model) throw new UsageError('eval: --model FILE is required (see bnlab eval --help)');
    const file = values.model;
    if (!existsSync(file)) throw new BnlabError(`eval: ${file} does not exist`);
    let model: Model;
    try {
      model = deserializeModel(readFileSync(file));
    } catch (err) {
      throw new BnlabError(`eval: ${file}: ${(err as Error).message}`);
    }
    const extra = savedExtra(model, file);
    const kernel = kernelFromFlag(values.kernel, undefined, values.threads);

    const data = await prepareDataset(
      dataOptions(
        { dataset: values.dataset ?? extra.data.dataset, dir: values.dir, validation: values.validation ?? String(extra.data.splits.validation) },
        process.cwd(),
        process.env,
      ),
    );
    if (data.d !== extra.data.d || data.K !== extra.data.K) {
      throw new BnlabError(`eval: ${file} takes ${extra.data.d} inputs and ${extra.data.K} classes; ${data.dataset} has ${data.d} and ${data.K}`);
    }
    const test = restandardise(data, extra.normalisation);
    const net = loadNetwork(kernel, model);
    const figures = evaluate(net, test, extra.config.lambda);
    const engine = engineIdentity(kernel.id);

    if (values.json) {
      const config = { ...extra.config, dataset: extra.data.dataset, dataFingerprint: extra.data.fingerprint };
      const out = { model: file, dataset: data.dataset, n: test.n, ...figures, config, engine };
      console.log(JSON.stringify(out, null, 2));
      return 0;
    }
    console.log(
      [
        `${file}: ${extra.config.hidden.length + 1}-layer [${extra.config.hidden.join(', ')}]${extra.config.batchNorm ? ' with batch norm' : ''}, trained on ${extra.data.dataset}`,
        `test split of ${data.dataset} (${test.n} images) · ${engine}`,
        `accuracy ${(100 * figures.accuracy).toFixed(2)} %  cost ${figures.cost.toFixed(4)}  loss ${figures.loss.toFixed(4)}`,
      ].join('\n'),
    );
    return 0;
  },
};

function savedExtra(model: Model, file: string): SavedModelExtra {
  const e = model.extra as Partial<SavedModelExtra> | null;
  const d = e?.data?.d;
  const ok =
    e?.format === 'bnlab-model/1' && e.config && e.data && typeof d === 'number' &&
    Array.isArray(e.normalisation?.mean) && e.normalisation.mean.length === d &&
    Array.isArray(e.normalisation?.std) && e.normalisation.std.length === d;
  if (!ok) throw new BnlabError(`eval: ${file} lacks the configuration or data normalisation of bnlab train --save`);
  return e as SavedModelExtra;
}

/**
 * The test split standardised with the model's statistics. When they are the preparation's own
 * (the same training split), the prepared rows are used as they are, bit for bit.
 */
function restandardise(data: PreparedDataset, norm: { mean: number[]; std: number[] }): Split {
  const same = norm.mean.every((m, j) => m === data.mean[j]) && norm.std.every((s, j) => s === data.std[j]);
  if (same) return data.test;
  const { d } = data;
  const x = new Float32Array(data.test.x.length);
  for (let i = 0; i < data.test.n; i++) {
    for (let j = 0; j < d; j++) {
      const pixel = data.test.x[i * d + j] * data.std[j] + data.mean[j];
      x[i * d + j] = (pixel - norm.mean[j]) / norm.std[j];
    }
  }
  return { x, y: data.test.y, n: data.test.n };
}
