// bnlab gradcheck: analytic gradients against centred differences on a reduced problem (the first
// --dims input dimensions of the first --samples training images); exit code 1 when any relative error
// exceeds the threshold. A missing data set is an error: Gaussian inputs only with --synthetic.
import { DEFAULT_GRADCHECK_H, DEFAULT_GRADCHECK_THRESHOLD, gradcheck, syntheticDataset, type BnPlacement } from '@bnlab/engine';
import { intFlag, listFlag, numberFlag, parseFlags, UsageError, type Command } from './command.js';
import { dataFlags, dataOptions } from './cmd-data.js';
import { kernelFromFlag, trainingOptionValues } from './cmd-train.js';
import { optionFlagSpecs, optionHelpLines, trainingOptions } from './option-flags.js';
import { prepareDataset } from '../data/index.js';

/** The training options that change the cost's gradient (the others shape the training, not the cost). */
const OPTIONS = trainingOptions(['lambda', 'eps', 'bnPlacement', 'dropout']);

const help = `Usage: bnlab gradcheck [--hidden 50,50] [--batch-norm] [--eps E] [--dims 20] [--samples 4] [--lambda 0.005]
                       [--bn-placement before|after] [--dropout P] [--h 1e-5] [--threshold 1e-6] [--seed 1]
                       [--synthetic] [--kernel ID] [--json]

Compares the analytic gradient of the cost with centred differences (float64) for every parameter
of every layer (W and b without batch norm; W, gamma, beta with it; b of the output layer), on the
first --dims input dimensions of the first --samples prepared training images. The numerical cost
is evaluated in training mode, with the batch's own statistics, as the analytic gradient assumes;
with --dropout, the masks are drawn once (from --seed) and held fixed.
Prints parameter, layer (from 1) and relative error ‖ga − gn‖ / max(1e-12, ‖ga‖ + ‖gn‖); exits
with code 1 when any error exceeds the threshold.

Options:
  --hidden LIST      hidden layer sizes, comma-separated; '' for none (default 50,50)
  --batch-norm       batch-normalise every hidden layer
  --dims D           input dimensions used (default 20)
  --samples N        training images used (default 4)
  --h H              step of the centred differences (default ${DEFAULT_GRADCHECK_H})
  --threshold T      largest relative error that passes (default ${DEFAULT_GRADCHECK_THRESHOLD})
  --seed N           seed of the weights (default 1)
  --synthetic        Gaussian inputs and random labels instead of the data set
  --dataset NAME     cifar10 or fashion-mnist (default cifar10)
  --dir DIR          directory holding the data set's files (see bnlab data --help)
  --validation N     validation images of the preparation (default 0.1; the check uses training images)
  --kernel ID        a float64 kernel (default ts-f64)
  --json             print {passed, threshold, checks: [{parameter, layer, relativeError}]} on stdout
  --help             show this help

Training options that act on the gradient (as in bnlab train):
${optionHelpLines(OPTIONS, 21).join('\n')}`;

export const command: Command = {
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...dataFlags,
        hidden: { type: 'string' },
        'batch-norm': { type: 'boolean' },
        ...optionFlagSpecs(OPTIONS),
        dims: { type: 'string' },
        samples: { type: 'string' },
        h: { type: 'string' },
        threshold: { type: 'string' },
        seed: { type: 'string' },
        synthetic: { type: 'boolean' },
        kernel: { type: 'string' },
        json: { type: 'boolean' },
      },
      'gradcheck',
    );
    const batchNorm = values['batch-norm'] === true;
    const opts = trainingOptionValues(OPTIONS, values, batchNorm) as { lambda: number; eps: number; bnPlacement: BnPlacement; dropout: number };
    const dims = intFlag(values.dims, 'dims', 20, 1);
    const samples = intFlag(values.samples, 'samples', 4, 1);
    const seed = intFlag(values.seed, 'seed', 1, 0);
    const h = numberFlag(values.h, 'h', DEFAULT_GRADCHECK_H);
    if (!(h > 0)) throw new UsageError(`--h: ${values.h} must be positive`);
    const threshold = numberFlag(values.threshold, 'threshold', DEFAULT_GRADCHECK_THRESHOLD);
    const kernel = kernelFromFlag(values.kernel, 'ts-f64');
    if (kernel.dtype !== 'f64') throw new UsageError(`--kernel: ${kernel.id} computes in float32; the gradient check needs a float64 kernel (e.g. ts-f64)`);
    if (values.synthetic && (values.dataset !== undefined || values.dir !== undefined)) {
      throw new UsageError('--synthetic excludes --dataset and --dir');
    }

    let x: Float64Array;
    let y: Uint8Array;
    let K: number;
    if (values.synthetic) {
      const s = syntheticDataset({ d: dims, K: 10, train: samples, validation: 1, test: 1, seed });
      x = Float64Array.from(s.train.x);
      y = s.train.y;
      K = s.K;
    } else {
      const data = await prepareDataset(dataOptions(values, process.cwd(), process.env));
      if (dims > data.d) throw new UsageError(`--dims ${dims} exceeds the ${data.d} dimensions of ${data.dataset}`);
      if (samples > data.train.n) throw new UsageError(`--samples ${samples} exceeds the ${data.train.n} training images`);
      x = new Float64Array(samples * dims);
      for (let i = 0; i < samples; i++) for (let j = 0; j < dims; j++) x[i * dims + j] = data.train.x[i * data.d + j];
      y = data.train.y.slice(0, samples);
      K = data.K;
    }

    const result = gradcheck({
      x, y, n: samples, d: dims, K,
      hidden: listFlag(values.hidden, 'hidden', [50, 50]),
      batchNorm, ...opts,
      h, threshold, seed, kernel,
    });

    if (values.json) {
      console.log(JSON.stringify({ passed: result.passed, threshold: result.threshold, checks: result.checks }, null, 2));
    } else {
      const rows = result.checks.map((c) => {
        const mark = c.relativeError > threshold ? '  > threshold' : '';
        return `${c.parameter.padEnd(9)} ${String(c.layer).padStart(5)}  ${c.relativeError.toExponential(2).padStart(9)}${mark}`;
      });
      const worst = Math.max(...result.checks.map((c) => c.relativeError));
      console.log(['parameter layer  rel. error', ...rows].join('\n'));
      console.log(result.passed ? `passed: max ${worst.toExponential(2)} ≤ ${threshold}` : `FAILED: max ${worst.toExponential(2)} > ${threshold}`);
    }
    if (!result.passed) {
      const failed = result.checks.filter((c) => c.relativeError > threshold);
      console.error(`bnlab: gradient check failed: ${failed.map((c) => `${c.parameter}${c.layer} rel err ${c.relativeError.toExponential(1)}`).join(', ')} > ${threshold}`);
      return 1;
    }
    return 0;
  },
};
