import { createHash } from 'node:crypto';
import { arr, isObject, type JsonObject, type KubeObject, obj, str } from '../json.ts';
import {
  ANNOTATIONS,
  compact,
  delayOverride,
  flag,
  iso,
  type ReconcileResult,
  type Reconciler,
  readyDelay,
} from './common.ts';

/**
 * Pods run after the ready delay. A Pod with restartPolicy Never or OnFailure then runs for the job
 * duration and Succeeds (Fails with `fail`). `degrade` (or `fail` on a restartPolicy Always pod)
 * leaves its containers crash looping; `stall` keeps it Pending.
 *
 * Jobs start at once and, after the job duration, Complete (`SuccessCriteriaMet` + `Complete`,
 * `succeeded` = completions) or, with `fail`, Fail (`FailureTarget` + `Failed`, reason
 * BackoffLimitExceeded). `stall` keeps them active; a suspended Job does not start.
 */

function podCondition(type: string, status: boolean, at: number, reason?: string): JsonObject {
  const out: JsonObject = {
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: iso(at),
  };
  if (reason) out.reason = reason;
  return out;
}

function podIp(object: KubeObject): string {
  const digest = createHash('sha256')
    .update(str(object.metadata, 'uid') ?? '')
    .digest();
  return `10.244.${digest[0] ?? 0}.${((digest[1] ?? 0) % 250) + 2}`;
}

type ContainerState = 'running' | 'crashing' | 'succeeded' | 'failed';

function containerStatuses(object: KubeObject, state: ContainerState, at: number): JsonObject[] {
  const containers = (arr(obj(object, 'spec'), 'containers') ?? []).filter(isObject);
  return containers.map((c) => {
    const cname = str(c, 'name') ?? '';
    const base: JsonObject = {
      name: cname,
      image: str(c, 'image') ?? '',
      imageID: '',
      containerID: `emulator://${str(object.metadata, 'uid') ?? ''}/${cname}`,
      ready: state === 'running',
      started: state === 'running',
      restartCount: state === 'crashing' ? 3 : 0,
    };
    if (state === 'running') base.state = { running: { startedAt: iso(at) } };
    else if (state === 'crashing') {
      base.state = {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container (emulated)' },
      };
      base.lastState = {
        terminated: { exitCode: 1, reason: 'Error', startedAt: iso(at), finishedAt: iso(at) },
      };
    } else {
      const code = state === 'succeeded' ? 0 : 1;
      base.state = {
        terminated: {
          exitCode: code,
          reason: code === 0 ? 'Completed' : 'Error',
          startedAt: iso(at),
          finishedAt: iso(at),
        },
      };
    }
    return base;
  });
}

const pod: Reconciler = (input) => {
  const { object, since, now, timing } = input;
  const scheduled = podCondition('PodScheduled', true, since);
  if (flag(object, ANNOTATIONS.stall))
    return { status: { phase: 'Pending', conditions: [scheduled], qosClass: 'BestEffort' } };
  const startAt = since + readyDelay(input);
  if (now < startAt)
    return {
      status: { phase: 'Pending', conditions: [scheduled], qosClass: 'BestEffort' },
      recheckInMs: startAt - now,
    };
  const policy = str(obj(object, 'spec'), 'restartPolicy') ?? 'Always';
  const toCompletion = policy === 'Never' || policy === 'OnFailure';
  const failing = flag(object, ANNOTATIONS.fail);
  const common = {
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    podIP: podIp(object),
    podIPs: [{ ip: podIp(object) }],
    startTime: iso(startAt),
    qosClass: 'BestEffort',
  };
  if (flag(object, ANNOTATIONS.degrade) || (failing && !toCompletion)) {
    return {
      status: {
        phase: 'Running',
        conditions: [
          podCondition('Initialized', true, startAt),
          podCondition('Ready', false, startAt, 'ContainersNotReady'),
          podCondition('ContainersReady', false, startAt, 'ContainersNotReady'),
          scheduled,
        ],
        ...common,
        containerStatuses: containerStatuses(object, 'crashing', startAt),
      },
    };
  }
  const endAt = startAt + timing.jobDurationMs;
  if (toCompletion && now >= endAt) {
    return {
      status: {
        phase: failing ? 'Failed' : 'Succeeded',
        conditions: [
          podCondition('Initialized', true, startAt, 'PodCompleted'),
          podCondition('Ready', false, endAt, 'PodCompleted'),
          podCondition('ContainersReady', false, endAt, 'PodCompleted'),
          scheduled,
        ],
        ...common,
        containerStatuses: containerStatuses(object, failing ? 'failed' : 'succeeded', endAt),
      },
    };
  }
  const running: ReconcileResult = {
    status: {
      phase: 'Running',
      conditions: [
        podCondition('Initialized', true, startAt),
        podCondition('Ready', true, startAt),
        podCondition('ContainersReady', true, startAt),
        scheduled,
      ],
      ...common,
      containerStatuses: containerStatuses(object, 'running', startAt),
    },
  };
  if (toCompletion) running.recheckInMs = endAt - now;
  return running;
};

function jobCondition(type: string, reason: string, message: string, at: number): JsonObject {
  return { type, status: 'True', lastProbeTime: iso(at), lastTransitionTime: iso(at), reason, message };
}

const job: Reconciler = (input) => {
  const { object, since, now, timing } = input;
  const spec = obj(object, 'spec');
  if (spec?.suspend === true) return { status: {} };
  const startTime = iso(since);
  const running = { startTime, active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} };
  if (flag(object, ANNOTATIONS.stall)) return { status: running };
  const endAt = since + (delayOverride(object) ?? timing.jobDurationMs);
  if (now < endAt) return { status: running, recheckInMs: endAt - now };
  if (flag(object, ANNOTATIONS.fail)) {
    const message = 'Job has reached the specified backoff limit';
    return {
      status: compact({
        startTime,
        failed: typeof spec?.backoffLimit === 'number' ? spec.backoffLimit + 1 : 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: [
          jobCondition('FailureTarget', 'BackoffLimitExceeded', message, endAt),
          jobCondition('Failed', 'BackoffLimitExceeded', message, endAt),
        ],
      }),
    };
  }
  const message = 'Reached expected number of succeeded pods';
  return {
    status: {
      startTime,
      completionTime: iso(endAt),
      succeeded: typeof spec?.completions === 'number' ? spec.completions : 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions: [
        jobCondition('SuccessCriteriaMet', 'CompletionsReached', message, endAt),
        jobCondition('Complete', 'CompletionsReached', message, endAt),
      ],
    },
  };
};

export const podJobReconcilers: Record<string, Reconciler> = {
  'pods.': pod,
  'jobs.batch': job,
};
