/**
 * Standalone emulator: `npm run kube-emulator -- --port 6443 --kubeconfig ./kubeconfig`
 * starts it and writes a kubeconfig for it, so that `KUBECONFIG=./kubeconfig` points any client
 * (the impulse CLI, kubectl) at it. Stops on SIGINT or SIGTERM.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeEmulator } from './index.ts';

const USAGE = `usage: kube-emulator [--port N] [--host ADDR] [--kubeconfig FILE] [--token TOKEN] [--no-tls]
                     [--ready-delay-ms N] [--job-duration-ms N] [--namespace NAME ...]
                     [--impulse-image IMAGE]   run Deployments of IMAGE as local impulse processes`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      kubeconfig: { type: 'string' },
      token: { type: 'string' },
      'no-tls': { type: 'boolean', default: false },
      'ready-delay-ms': { type: 'string', default: '1000' },
      'job-duration-ms': { type: 'string', default: '2000' },
      namespace: { type: 'string', multiple: true },
      'impulse-image': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const number = (flag: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${flag}: must be a non-negative integer, got "${raw}"`);
    return n;
  };
  const emulator = await startKubeEmulator({
    port: number('port', values.port),
    host: values.host,
    tls: !values['no-tls'],
    ...(values.token ? { token: values.token } : {}),
    namespaces: values.namespace ?? [],
    controllers: {
      readyDelayMs: number('ready-delay-ms', values['ready-delay-ms']),
      jobDurationMs: number('job-duration-ms', values['job-duration-ms']),
    },
    ...(values['impulse-image']
      ? { processRunner: { image: values['impulse-image'], output: 'inherit' as const } }
      : {}),
  });
  if (values.kubeconfig) {
    const file = resolve(values.kubeconfig);
    await emulator.writeKubeconfig(file);
    console.log(`kube-emulator: serving ${emulator.url}; kubeconfig written to ${file}`);
    console.log(`  export KUBECONFIG=${file}`);
  } else {
    console.log(`kube-emulator: serving ${emulator.url} (pass --kubeconfig FILE to write a kubeconfig)`);
    console.log(`  token: ${emulator.token}`);
  }
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`kube-emulator: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exit(2);
});
