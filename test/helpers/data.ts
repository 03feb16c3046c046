// Where end-to-end specs find CIFAR-10: the one place to switch (env BNLAB_CIFAR10_DIR, else the
// checkout's data/cifar-10-batches-bin, which .ci/run links to the shared real subset).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export const cifar10Dir = process.env.BNLAB_CIFAR10_DIR ?? path.join(repo, 'data/cifar-10-batches-bin');
export const haveCifar10 = existsSync(path.join(cifar10Dir, 'data_batch_1.bin'));
