// The cyclical learning rate (Smith 2017, triangular policy) as pure functions of the update step.

/**
 * η at update t ≥ 0: rises linearly from etaMin (t = 2l·ns) to etaMax (t = (2l+1)·ns), then falls back
 * to etaMin (t = 2(l+1)·ns). ns is the half-cycle in updates.
 */
export function cyclicalEta(t: number, etaMin: number, etaMax: number, ns: number): number {
  const c = t % (2 * ns); // position in the current cycle
  return c <= ns ? etaMin + (c / ns) * (etaMax - etaMin) : etaMax - ((c - ns) / ns) * (etaMax - etaMin);
}

/** The half-cycle of k epochs: k·⌊n/batch⌋ updates. */
export function nsFromEpochs(k: number, n: number, batch: number): number {
  return k * Math.floor(n / batch);
}
