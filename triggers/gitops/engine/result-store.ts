import { ImpulseError } from '../../../core/errors.ts';
import type { KubeRest } from '../../../core/kube/rest.ts';
import { type KubeObject, refOf, servedResource, writeOptions } from './kube-object.ts';
import type { OperationResult } from './types.ts';

/** Marks the result ConfigMap (not `impulse.dev/app`: the result is not part of the application). */
export const RESULT_LABEL = 'impulse.dev/result-of';
const RESULT_KEY = 'result.json';

export function resultName(app: string): string {
  return `impulse-app-${app}`;
}

/**
 * Keeps an application's last operation in ConfigMap `impulse-app-<name>` of its destination
 * namespace: the whole result as JSON under `result.json`, and the headline fields as plain keys,
 * so `kubectl get configmap impulse-app-web -o yaml` shows where the application stands.
 */
export async function writeResult(
  client: KubeRest,
  namespace: string,
  result: OperationResult,
): Promise<void> {
  const res = await servedResource(client, 'v1', 'ConfigMap');
  const object: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: resultName(result.app), namespace, labels: { [RESULT_LABEL]: result.app } },
    data: {
      phase: result.phase,
      message: result.message,
      revision: result.revision,
      syncStatus: result.syncStatus,
      healthStatus: result.healthStatus,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt ?? '',
      [RESULT_KEY]: JSON.stringify(result),
    },
  };
  await client.apply(refOf(res, object), object, { ...writeOptions(), force: true });
}

/** The recorded result, or undefined when the application has never been synced here. */
export async function readResult(
  client: KubeRest,
  namespace: string,
  app: string,
): Promise<OperationResult | undefined> {
  const resource = await servedResource(client, 'v1', 'ConfigMap');
  const object = await client.get({ resource, namespace, name: resultName(app) });
  const raw = (object?.data as Record<string, string> | undefined)?.[RESULT_KEY];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as OperationResult;
  } catch (err) {
    throw new ImpulseError(
      'PERMANENT',
      `ConfigMap ${namespace}/${resultName(app)}: ${RESULT_KEY} is not valid JSON; delete the ConfigMap to start afresh`,
      {
        cause: err,
      },
    );
  }
}
