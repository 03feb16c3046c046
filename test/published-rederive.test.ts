// A published study re-derives from its committed trial records alone: in an empty workspace that
// holds only experiments.yaml and the committed trial store (results/trials/, shared by the profiles), `bnlab run all` trains nothing and writes
// every stage result and every report file byte for byte as committed. So the report in the repo is
// what the pipeline makes of the committed records, and CI notices when either drifts. This needs the
// very data the records were trained on (the CIFAR-10 subset, Debian's Fashion-MNIST): without it
// the test skips, except under CI=true.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect } from 'vitest';
import { stageNames } from '../packages/pipeline/src/config/stages.js';
import { shippedStudy } from './helpers/study.js';
import { realCifar10 } from './helpers/cifar10.js';
import { CIFAR10_SUBSET, FASHION_MNIST, itWith } from './helpers/requires.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const STAGES = stageNames(shippedStudy('default'));
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('published studies re-derive from their committed trials', () => {
  for (const [profile, data] of [['default', CIFAR10_SUBSET], ['fashion-mnist', FASHION_MNIST]] as const) {
    if (!existsSync(path.join(repo, 'results', profile, 'report', 'result.json'))) continue;
    itWith([data], `${profile}: bnlab run all trains nothing and reproduces results and report`, async () => {
      const ws = mkdtempSync(path.join(tmpdir(), `bnlab-published-${profile}-`));
      temps.push(ws);
      cpSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
      cpSync(path.join(repo, 'nx.json'), path.join(ws, 'nx.json'));
      cpSync(path.join(repo, 'results', 'trials'), path.join(ws, 'results', 'trials'), { recursive: true });
      const env = {
        BNLAB_WORKSPACE: ws,
        BNLAB_CIFAR10_DIR: realCifar10 ?? '',
        NX_TASK_TARGET_CONFIGURATION: '',
        CI: 'true',
      };
      const r = await execa(process.execPath, [bin, 'run', 'all', '-c', profile], { cwd: ws, env, reject: false });
      expect(r.exitCode, `${r.stderr}\n${r.stdout}`.slice(-3000)).toBe(0);

      for (const stage of STAGES) {
        const timing = path.join(ws, 'results', profile, stage, 'timing.json');
        if (existsSync(timing)) {
          const trained = JSON.parse(readFileSync(timing, 'utf8')).trials?.trained ?? 0;
          expect(trained, `${stage} trained ${trained} trials: the committed store is incomplete`).toBe(0);
        }
        const file = path.join('results', profile, stage, 'result.json');
        expect(readFileSync(path.join(ws, file), 'utf8'), `${file} differs from the committed one`).toBe(
          readFileSync(path.join(repo, file), 'utf8'),
        );
      }
      const reportDir = path.join('report', profile);
      const files = readdirSync(path.join(repo, reportDir)).sort();
      expect(readdirSync(path.join(ws, reportDir)).sort()).toEqual(files);
      for (const f of files) {
        expect(readFileSync(path.join(ws, reportDir, f), 'utf8'), `${reportDir}/${f} differs from the committed one`).toBe(
          readFileSync(path.join(repo, reportDir, f), 'utf8'),
        );
      }
    });
  }
});
