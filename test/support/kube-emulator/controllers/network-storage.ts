import { arr, type JsonObject, obj, str } from '../json.ts';
import { ANNOTATIONS, flag, type Reconciler, readyDelay } from './common.ts';

/**
 * PersistentVolumeClaims bind, and LoadBalancer Services and Ingresses get
 * `status.loadBalancer.ingress[{ip}]`, after the ready delay; `stall` keeps them pending.
 */

const claim: Reconciler = (input) => {
  const { object, since, now } = input;
  const pending = { status: { phase: 'Pending' } };
  if (flag(object, ANNOTATIONS.stall)) return pending;
  const due = since + readyDelay(input);
  if (now < due) return { ...pending, recheckInMs: due - now };
  const spec = obj(object, 'spec');
  const storage = str(obj(obj(spec, 'resources'), 'requests'), 'storage');
  const status: JsonObject = { phase: 'Bound', accessModes: arr(spec, 'accessModes') ?? ['ReadWriteOnce'] };
  if (storage) status.capacity = { storage };
  return { status };
};

const loadBalancer: Reconciler = (input) => {
  const { object, since, now, timing } = input;
  if (object.kind === 'Service' && str(obj(object, 'spec'), 'type') !== 'LoadBalancer') return undefined;
  const waiting = { status: { loadBalancer: {} } };
  if (flag(object, ANNOTATIONS.stall)) return waiting;
  const due = since + readyDelay(input);
  if (now < due) return { ...waiting, recheckInMs: due - now };
  const ingress: JsonObject = { ip: timing.loadBalancerIp };
  if (object.kind === 'Service') ingress.ipMode = 'VIP';
  return { status: { loadBalancer: { ingress: [ingress] } } };
};

export const networkStorageReconcilers: Record<string, Reconciler> = {
  'persistentvolumeclaims.': claim,
  'services.': loadBalancer,
  'ingresses.networking.k8s.io': loadBalancer,
};
