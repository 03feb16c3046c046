// Who a pid is: whether it names a live process, and this process's PID namespace (a pid means
// something only inside its namespace: PID 1 of a container is not the host's PID 1).
import { readlinkSync } from 'node:fs';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `pid:[4026531836]` on Linux; '-' where there are no namespaces (pids are host-wide). */
export function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid').replace(/\s/g, '');
  } catch {
    return '-';
  }
}
