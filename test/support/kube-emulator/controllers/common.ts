import { createHash } from 'node:crypto';
import { type Json, type JsonObject, type KubeObject, obj, str, stringMap } from '../json.ts';

/** Annotations that steer the simulated controllers, set on the object itself. */
export const ANNOTATIONS = {
  /** `"true"`: the object never becomes ready (rollout, pod, job, claim or address stays pending). */
  stall: 'emulator.impulse.dev/stall',
  /** `"true"`: the object fails to become healthy (deadline exceeded, crash looping, not ready). */
  degrade: 'emulator.impulse.dev/degrade',
  /** `"true"`: a Job (or a run-to-completion Pod) fails instead of succeeding. */
  fail: 'emulator.impulse.dev/fail',
  /** Milliseconds: overrides the configured delay for this object. */
  delay: 'emulator.impulse.dev/delay-ms',
} as const;

/** The knobs of the simulated controllers. */
export interface ControllerTiming {
  /** Delay before workloads are available, Pods run, claims bind and load balancers get an address. */
  readyDelayMs: number;
  /** How long a Job, or a Pod that runs to completion, runs before it ends. */
  jobDurationMs: number;
  /** The address given to LoadBalancer Services and Ingresses. */
  loadBalancerIp: string;
  /** Nodes that a DaemonSet schedules on. */
  nodes: number;
}

/** What a reconciler sees: the object, how long ago its current round started, and the knobs. */
export interface ReconcileInput {
  object: KubeObject;
  /** Epoch ms when the controller first saw this object at its current generation. */
  since: number;
  now: number;
  timing: ControllerTiming;
}

/** The status a controller wants, and when (ms from now) to look again, if ever. */
export interface ReconcileResult {
  status: JsonObject;
  recheckInMs?: number;
}

export type Reconciler = (input: ReconcileInput) => ReconcileResult | undefined;

export function flag(object: KubeObject, annotation: string): boolean {
  return stringMap(object.metadata, 'annotations')[annotation] === 'true';
}

/** The per-object delay from the `delay-ms` annotation, when it holds a non-negative number. */
export function delayOverride(object: KubeObject): number | undefined {
  const raw = stringMap(object.metadata, 'annotations')[ANNOTATIONS.delay];
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function readyDelay(input: ReconcileInput): number {
  return delayOverride(input.object) ?? input.timing.readyDelayMs;
}

/** RFC 3339 (seconds) for an epoch-ms time, so that repeated reconciles produce identical status. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function condition(
  type: string,
  status: boolean,
  reason: string,
  message: string,
  at: number,
  updated = true,
): JsonObject {
  const out: JsonObject = { type, status: status ? 'True' : 'False' };
  if (updated) out.lastUpdateTime = iso(at);
  out.lastTransitionTime = iso(at);
  out.reason = reason;
  out.message = message;
  return out;
}

/** A short stable hash of a pod template, like the pod-template-hash of ReplicaSets. */
export function templateHash(object: KubeObject): string {
  const template = obj(obj(object, 'spec'), 'template') ?? {};
  return createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
}

export function generation(object: KubeObject): number {
  return Number(object.metadata.generation ?? 1);
}

export function replicas(object: KubeObject): number {
  const value = obj(object, 'spec')?.replicas;
  return typeof value === 'number' ? value : 1;
}

export function name(object: KubeObject): string {
  return str(object.metadata, 'name') ?? '';
}

/** Drops undefined entries so the status compares equal across reconciles. */
export function compact(status: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(status)) if (v !== undefined) out[k] = v;
  return out;
}
