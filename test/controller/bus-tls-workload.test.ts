import { describe, expect, it } from 'vitest';
import { buildWorkload, busSettings } from '../../controller/index.ts';
import type { EventBus } from '../../crds/index.ts';
import { builtinModel, unknownFields } from '../deploy/schemas.ts';

const object = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Sensor',
  metadata: { name: 's', namespace: 'team' },
  spec: { dependencies: [], triggers: [] },
};

function deploymentFor(exotic: NonNullable<EventBus['spec']['jetstreamExotic']>) {
  const bus: EventBus = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventBus',
    metadata: { name: 'default', namespace: 'team' },
    spec: { jetstreamExotic: exotic },
  };
  const workload = buildWorkload({
    kind: 'Sensor',
    object,
    spec: object.spec as never,
    bus: busSettings(bus),
    secrets: [],
    image: 'impulse:1',
  });
  const pod = (workload.deployment.spec as { template: { spec: Record<string, unknown[]> } }).template.spec;
  const container = pod.containers![0] as {
    env: Array<{ name: string; value?: string }>;
    volumeMounts: unknown[];
  };
  return { workload, pod, container, env: Object.fromEntries(container.env.map((e) => [e.name, e.value])) };
}

describe('controller: a process on an EventBus with tls', () => {
  it('mounts the CA, certificate and key Secret keys and sets IMPULSE_BUS_TLS_*', async () => {
    const { workload, pod, container, env } = deploymentFor({
      url: 'tls://nats.example:4222',
      accessSecret: { name: 'nats-creds', key: 'user.creds' },
      tls: {
        caCertSecret: { name: 'nats-ca', key: 'ca.pem' },
        clientCertSecret: { name: 'nats-client', key: 'tls.crt' },
        clientKeySecret: { name: 'nats-client', key: 'tls.key' },
      },
    });
    expect(env).toMatchObject({
      IMPULSE_BUS_URL: 'tls://nats.example:4222',
      IMPULSE_BUS_CREDENTIALS_FILE: '/etc/impulse/bus/credentials',
      IMPULSE_BUS_TLS_CA_FILE: '/etc/impulse/bus-tls/ca.crt',
      IMPULSE_BUS_TLS_CERT_FILE: '/etc/impulse/bus-tls/tls.crt',
      IMPULSE_BUS_TLS_KEY_FILE: '/etc/impulse/bus-tls/tls.key',
    });
    expect(env).not.toHaveProperty('IMPULSE_BUS_TLS_INSECURE');
    expect(pod.volumes).toContainEqual({
      name: 'impulse-bus',
      secret: { secretName: 'nats-creds', items: [{ key: 'user.creds', path: 'credentials' }] },
    });
    expect(pod.volumes).toContainEqual({
      name: 'impulse-bus-tls',
      projected: {
        sources: [
          { secret: { name: 'nats-ca', items: [{ key: 'ca.pem', path: 'ca.crt' }] } },
          { secret: { name: 'nats-client', items: [{ key: 'tls.crt', path: 'tls.crt' }] } },
          { secret: { name: 'nats-client', items: [{ key: 'tls.key', path: 'tls.key' }] } },
        ],
      },
    });
    expect(container.volumeMounts).toContainEqual({
      name: 'impulse-bus-tls',
      mountPath: '/etc/impulse/bus-tls',
      readOnly: true,
    });
    const Model = await builtinModel('apps/v1', 'Deployment');
    expect(() => new Model!(workload.deployment).validate()).not.toThrow();
    expect(unknownFields(workload.deployment)).toEqual([]);
  });

  it('insecureSkipVerify alone sets IMPULSE_BUS_TLS_INSECURE and mounts nothing', () => {
    const { pod, container, env } = deploymentFor({
      url: 'nats://n:4222',
      tls: { insecureSkipVerify: true },
    });
    expect(env.IMPULSE_BUS_TLS_INSECURE).toBe('true');
    expect(Object.keys(env).filter((k) => k.startsWith('IMPULSE_BUS_TLS_'))).toEqual([
      'IMPULSE_BUS_TLS_INSECURE',
    ]);
    expect(JSON.stringify(pod.volumes)).not.toContain('bus-tls');
    expect(JSON.stringify(container.volumeMounts)).not.toContain('bus-tls');
  });

  it('a bus without tls gets no TLS variables, and a change of tls rolls the pods', () => {
    const plain = deploymentFor({ url: 'nats://n:4222' });
    expect(Object.keys(plain.env).some((k) => k.startsWith('IMPULSE_BUS_TLS_'))).toBe(false);
    const withCa = deploymentFor({
      url: 'nats://n:4222',
      tls: { caCertSecret: { name: 'ca', key: 'ca.crt' } },
    });
    expect(withCa.workload.hash).not.toBe(plain.workload.hash);
  });
});
