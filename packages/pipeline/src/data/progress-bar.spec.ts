import { describe, expect, it } from 'vitest';
import { progressBar } from './progress-bar.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 80, writes, write: (s: string) => writes.push(s) };
}

describe('progressBar', () => {
  it('writes a plain line per tenth when the stream is not a TTY', () => {
    const s = sink(false);
    const bar = progressBar(s, 'training', 0);
    for (let i = 0; i <= 200; i++) bar.update(i, 200, `${i}/200`);
    bar.finish();
    expect(s.writes).toHaveLength(11);
    expect(s.writes[0]).toBe('training   0% 0/200\n');
    expect(s.writes[5]).toBe('training  50% 100/200\n');
    expect(s.writes[10]).toBe('training 100% 200/200\n');
  });

  it('redraws one line in place on a TTY and ends it on finish', () => {
    const s = sink(true);
    const bar = progressBar(s, 'dl', 0);
    bar.update(1, 4);
    bar.update(2, 4, 'half');
    bar.finish('done');
    expect(s.writes.every((w) => w.startsWith('\r'))).toBe(true);
    expect(s.writes[1]).toMatch(/^\rdl \[#+\.+\]  50% half\x1b\[K$/);
    expect(s.writes[2]).toMatch(/^\rdl \[#+\] 100% done\x1b\[K\n$/);
  });
});
