import { Command, CommanderError } from 'commander';
import { isImpulseError } from '../core/errors.ts';
import { commands } from './commands/index.ts';

const program = new Command('impulse')
  .description('Event-driven automation for Kubernetes and GitOps')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

for (const register of Object.values(commands)) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  // Expected failures (bad manifests, unreachable servers) print their message, never a stack.
  const message = isImpulseError(err)
    ? err.message
    : err instanceof Error
      ? (err.stack ?? err.message)
      : String(err);
  process.stderr.write(`impulse: ${message}\n`);
  process.exit(isImpulseError(err, 'INVALID_MANIFEST') ? 1 : 2);
}
