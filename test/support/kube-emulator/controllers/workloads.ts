import {
  ANNOTATIONS,
  compact,
  condition,
  flag,
  generation,
  name,
  type ReconcileInput,
  type ReconcileResult,
  type Reconciler,
  readyDelay,
  replicas,
  templateHash,
} from './common.ts';

/**
 * Deployments, ReplicaSets, StatefulSets and DaemonSets: each round (a new generation) starts with
 * the rollout in progress and ends, after the ready delay, with every replica updated, ready and
 * available. `stall` keeps the rollout in progress; `degrade` ends it unavailable (a Deployment
 * reports ProgressDeadlineExceeded). No ReplicaSets or Pods are created.
 */

interface Phase {
  ready: boolean;
  degraded: boolean;
  /** When the current phase began (for condition timestamps). */
  at: number;
  recheckInMs: number | undefined;
}

function phase(input: ReconcileInput, desired: number): Phase {
  const { object, since, now } = input;
  const delay = readyDelay(input);
  if (flag(object, ANNOTATIONS.stall))
    return { ready: false, degraded: false, at: since, recheckInMs: undefined };
  const due = desired === 0 ? since : since + delay;
  if (now < due) return { ready: false, degraded: false, at: since, recheckInMs: due - now };
  if (flag(object, ANNOTATIONS.degrade))
    return { ready: false, degraded: true, at: due, recheckInMs: undefined };
  return { ready: true, degraded: false, at: due, recheckInMs: undefined };
}

const deployment: Reconciler = (input) => {
  const { object, since } = input;
  const n = replicas(object);
  const p = phase(input, n);
  const rs = `${name(object)}-${templateHash(object)}`;
  const progressing = p.degraded
    ? condition(
        'Progressing',
        false,
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rs}" has timed out progressing.`,
        p.at,
      )
    : p.ready
      ? condition(
          'Progressing',
          true,
          'NewReplicaSetAvailable',
          `ReplicaSet "${rs}" has successfully progressed.`,
          p.at,
        )
      : condition('Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`, since);
  const available = p.ready
    ? condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.', p.at)
    : condition(
        'Available',
        false,
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        since,
      );
  const status = compact({
    observedGeneration: generation(object),
    replicas: n,
    updatedReplicas: n,
    readyReplicas: p.ready && n > 0 ? n : undefined,
    availableReplicas: p.ready && n > 0 ? n : undefined,
    unavailableReplicas: p.ready || n === 0 ? undefined : n,
    conditions: [available, progressing],
  });
  return result(status, p);
};

const replicaSet: Reconciler = (input) => {
  const n = replicas(input.object);
  const p = phase(input, n);
  const ready = p.ready && n > 0 ? n : undefined;
  const status = compact({
    replicas: n,
    fullyLabeledReplicas: n,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: generation(input.object),
  });
  return result(status, p);
};

const statefulSet: Reconciler = (input) => {
  const { object } = input;
  const n = replicas(object);
  const p = phase(input, n);
  const revision = `${name(object)}-${templateHash(object)}`;
  const status = compact({
    observedGeneration: generation(object),
    replicas: n,
    readyReplicas: p.ready && n > 0 ? n : undefined,
    currentReplicas: p.ready && n > 0 ? n : undefined,
    updatedReplicas: n,
    availableReplicas: p.ready ? n : 0,
    currentRevision: p.ready ? revision : undefined,
    updateRevision: revision,
    collisionCount: 0,
  });
  return result(status, p);
};

const daemonSet: Reconciler = (input) => {
  const n = input.timing.nodes;
  const p = phase(input, n);
  const status = compact({
    currentNumberScheduled: n,
    numberMisscheduled: 0,
    desiredNumberScheduled: n,
    numberReady: p.ready ? n : 0,
    observedGeneration: generation(input.object),
    updatedNumberScheduled: n,
    numberAvailable: p.ready && n > 0 ? n : undefined,
    numberUnavailable: p.ready || n === 0 ? undefined : n,
  });
  return result(status, p);
};

function result(status: ReconcileResult['status'], p: Phase): ReconcileResult {
  return p.recheckInMs === undefined ? { status } : { status, recheckInMs: p.recheckInMs };
}

export const workloadReconcilers: Record<string, Reconciler> = {
  'deployments.apps': deployment,
  'replicasets.apps': replicaSet,
  'statefulsets.apps': statefulSet,
  'daemonsets.apps': daemonSet,
};
