// The gradient-check gate at the end of `npm test`: the default study's gradcheck stage. With CIFAR-10
// here (data.dir is not set by the default profile, so $BNLAB_CIFAR10_DIR, else data/cifar-10-batches-bin)
// it is `nx run pipeline:gradcheck`, cached like any stage. Without it (a fresh clone) the same stage
// runs on the committed fixture of real CIFAR-10 records in a temporary workspace, so nothing is
// downloaded and the committed results/default/ is never touched.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { resolveCifar10Dir } = await import(path.join(root, 'packages/pipeline/dist/data/cifar10.js'));
const FIXTURE = 'test/fixtures/cifar-10-mini/cifar-10-batches-bin';

const run = (args, env = process.env) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;

const { dir } = resolveCifar10Dir(undefined, process.env, root);
if (existsSync(path.join(dir, 'test_batch.bin'))) {
  process.exit(run([path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'run', 'pipeline:gradcheck', '--outputStyle=static']));
}

console.log(`gradcheck: no CIFAR-10 in ${path.relative(root, dir) || dir}; checking the default profile's gradients on the committed fixture ${FIXTURE} (in a temporary workspace)`);
const ws = mkdtempSync(path.join(tmpdir(), 'bnlab-gradcheck-'));
try {
  copyFileSync(path.join(root, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
  const env = { ...process.env, BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: path.join(root, FIXTURE), NX_TASK_TARGET_CONFIGURATION: '' };
  const bnlab = path.join(root, 'packages/pipeline/bin/bnlab.js');
  const code = run([bnlab, 'run', 'data', '-c', 'default'], env) || run([bnlab, 'run', 'gradcheck', '-c', 'default'], env);
  process.exitCode = code;
} finally {
  rmSync(ws, { recursive: true, force: true });
}
