// What some tests need that a fresh machine may lack, and the one rule for it (CONTRIBUTING): outside
// CI a missing requirement skips the tests that need it with one line on stderr saying what to
// install or provide; under CI=true (.ci/run installs and links everything) they run, so whatever
// is missing fails them loudly.
import { existsSync } from 'node:fs';
import { beforeAll, describe, it } from 'vitest';
import { FASHION_MNIST_SYSTEM_DIR } from '../../packages/pipeline/src/data/fashion-mnist.js';
import { cifar10Records, realCifar10 } from './cifar10.js';
import { redisServerPath } from './redis.js';

export interface Requirement {
  what: string;
  present: boolean;
  /** How to get it, for the skip line. */
  hint: string;
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

export const REDIS: Requirement = { what: 'redis-server', present: redisServerPath() !== undefined, hint: 'apt-get install redis-server' };
export const FASHION_MNIST: Requirement = {
  what: `Fashion-MNIST in ${FASHION_MNIST_SYSTEM_DIR}`, present: existsSync(FASHION_MNIST_SYSTEM_DIR), hint: 'apt-get install dataset-fashion-mnist',
};
export const CHROMIUM: Requirement = { what: 'chromium', present: CHROMIUM_CANDIDATES.some((p) => existsSync(p)), hint: 'apt-get install chromium' };

/** The records the default profile's committed results were computed on: 5170 training and 1017 test images. */
const SUBSET_RECORDS = { train: 5170, test: 1017 };
function isSubset(dir: string | undefined): boolean {
  if (!dir) return false;
  const { train, test } = cifar10Records(dir);
  return train === SUBSET_RECORDS.train && test === SUBSET_RECORDS.test;
}
export const CIFAR10_SUBSET: Requirement = {
  what: 'the real CIFAR-10 subset the published results were computed on',
  present: isSubset(realCifar10),
  hint: 'ln -s ../../shared/datasets/cifar-10-subset/cifar-10-batches-bin data/, or set BNLAB_CIFAR10_DIR',
};

/** True when tests needing all of `needs` run: everything is here, or CI demands it. */
export function runs(...needs: Requirement[]): boolean {
  return process.env.CI === 'true' || needs.every((n) => n.present);
}

function missing(needs: Requirement[]): string | undefined {
  const lack = needs.filter((n) => !n.present).map((n) => `${n.what} (${n.hint})`);
  return lack.length > 0 ? lack.join(' and ') : undefined;
}

function skipLine(title: string, needs: Requirement[]): void {
  // Straight to stderr: one line, not vitest's console block with its own header.
  process.stderr.write(`skipped '${title}': needs ${missing(needs)}\n`);
}

/** Under CI a missing requirement fails its tests with what to install, before anything else. */
function demand(needs: Requirement[]): void {
  const lack = missing(needs);
  if (lack) throw new Error(`CI=true and this test needs ${lack}`);
}

/** `describe` that runs only when `needs` are met (or under CI), else skips with one line. */
export function describeWith(needs: Requirement[], title: string, body: () => void): void {
  if (runs(...needs)) {
    describe(title, () => {
      beforeAll(() => demand(needs));
      body();
    });
  } else {
    skipLine(title, needs);
    describe.skip(title, body);
  }
}

/** `it` that runs only when `needs` are met (or under CI), else skips with one line. */
export function itWith(needs: Requirement[], title: string, body: () => Promise<void> | void): void {
  if (runs(...needs)) {
    it(title, async () => {
      demand(needs);
      await body();
    });
  } else {
    skipLine(title, needs);
    it.skip(title, body);
  }
}
