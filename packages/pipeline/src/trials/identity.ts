// A trial's identity and hash: everything that determines its numbers, nothing about where it ran.
import { hashOf } from '../util/canonical-json.js';
import type { TrialData, TrialIdentity, TrialSpec } from './executor.js';

/** Exactly the four identity fields (a spec's hash and label are not part of it). */
export function identityOf(t: TrialIdentity): TrialIdentity {
  return { config: t.config, preparation: t.preparation, dataFingerprint: t.dataFingerprint, engine: t.engine };
}

/** sha256 of the identity's canonical JSON. */
export function trialHash(t: TrialIdentity): string {
  return hashOf(identityOf(t));
}

export function trialSpec(identity: TrialIdentity, label: string, data?: TrialData): TrialSpec {
  return { ...identityOf(identity), hash: trialHash(identity), label, ...(data ? { data } : {}) };
}
