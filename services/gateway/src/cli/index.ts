/**
 * The admin CLI: `npm run gateway -- <command>`. This entry is its composition root: the only
 * place that reads process.env, and where exit codes are decided (0 ok, 1 failure, 2 usage).
 */
import type { CliContext, Command } from './command';
import { CliError, EXIT, UsageError } from './errors';
import { loadCliSettings } from './settings';
import { keysCommand } from './commands/keys';
import { directoryCommand } from './commands/directory';
import { sendCommand } from './commands/send';
import { showCommand } from './commands/show';
import { resendCommand } from './commands/resend';
import { consumeCommand } from './commands/consume';

const COMMANDS: readonly Command[] = [keysCommand, directoryCommand, sendCommand, showCommand, resendCommand, consumeCommand];

const USAGE = `Cổng thông báo — công cụ quản trị / gateway admin CLI

  npm run gateway -- <command> [options]      (--help after any command for its options)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Settings (environment, or a flag per command):
  GATEWAY_INTAKE_URL      default http://127.0.0.1:8080
  GATEWAY_DIRECTORY_URL   default http://127.0.0.1:8081 (the renderer)
  GATEWAY_OPERATOR_URL    default http://127.0.0.1:8082
  GATEWAY_KEY             API key; default: the development key \`npm start\` writes to .gateway/dev-key.txt
  GATEWAY_KEYS_FILE       keys file for \`keys\`; default .gateway/keys.json
  KAFKA_BROKERS           for \`consume\`; default: the local broker \`npm start\` keeps in .gateway/kafka

Exit codes: 0 ok, 1 failure, 2 wrong usage.`;

async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    ctx.err(`Lệnh không rõ / unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.err(`${command.name}: ${err.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    // Errors of the shared key functions (a duplicate name, a broken keys file) are messages for the admin too.
    ctx.err(err instanceof CliError ? err.message : `${command.name}: ${(err as Error).message}`);
    return err instanceof CliError ? err.exitCode : EXIT.failure;
  }
}

function main(): void {
  let interrupt: (() => void) | undefined;
  // Output piped into a reader that stopped early (`| head`): end quietly, not with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  process.on('SIGINT', () => {
    if (interrupt) interrupt();
    else process.exit(130);
  });
  let settings;
  try {
    settings = loadCliSettings(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(EXIT.usage);
  }
  const ctx: CliContext = {
    settings,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    progressStream: process.stderr,
    onInterrupt: (handler) => {
      interrupt = handler;
      return () => {
        if (interrupt === handler) interrupt = undefined;
      };
    },
    now: () => new Date(),
  };
  void runCli(process.argv.slice(2), ctx).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
