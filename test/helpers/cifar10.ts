// Which CIFAR-10 the tests read: the real data when this checkout has it ($BNLAB_CIFAR10_DIR, else
// data/cifar-10-batches-bin, where .ci/run links the subset), else the committed fixture of 400 real
// records (test/fixtures/cifar-10-mini). Never a download: tests pass this directory explicitly.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
export const CIFAR10_FIXTURE = path.join(repo, 'test/fixtures/cifar-10-mini/cifar-10-batches-bin');

const configured = process.env.BNLAB_CIFAR10_DIR ? path.resolve(repo, process.env.BNLAB_CIFAR10_DIR) : path.join(repo, 'data/cifar-10-batches-bin');
/** The real CIFAR-10 of this checkout, when it has one. */
export const realCifar10: string | undefined = existsSync(path.join(configured, 'test_batch.bin')) ? configured : undefined;
/** What the tests read. */
export const cifar10Dir = realCifar10 ?? CIFAR10_FIXTURE;

/** Records per file of a CIFAR-10 directory (`cifar10Dir` by default), from the file sizes (3073 bytes a record). */
export function cifar10Records(dir = cifar10Dir): { train: number; test: number; perBatch: number[] } {
  const records = (f: string) => statSync(path.join(dir, f)).size / 3073;
  const perBatch = [1, 2, 3, 4, 5].map((i) => records(`data_batch_${i}.bin`));
  return { train: perBatch.reduce((a, b) => a + b, 0), test: records('test_batch.bin'), perBatch };
}
