/** paydesk-acquiring-sim [--port 5894]: a card terminal behind KKMServer, as a process. */
import { Command } from 'commander';
import { startAcquiringSim } from './acquiring-sim.ts';

const program = new Command('paydesk-acquiring-sim')
  .description('Симулятор эквайрингового терминала за KKMServer: оплата, отмена, возврат, аварийная отмена, сверка итогов')
  .option('--port <port>', 'порт (PAYDESK_ACQUIRING_SIM_PORT, 5894)', process.env['PAYDESK_ACQUIRING_SIM_PORT'] ?? '5894')
  .option('--slip-on-terminal', 'слип печатает сам терминал')
  .action(async (o: { port: string; slipOnTerminal?: boolean }) => {
    const sim = await startAcquiringSim({ port: Number(o.port), printOnTerminal: o.slipOnTerminal === true });
    console.log(
      `Acquiring simulator (KKMServer JSON): ${sim.url}/Execute; controls: POST ${sim.url}/control, GET ${sim.url}/control/ledger`,
    );
    const stop = (): void => void sim.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

await program.parseAsync(process.argv);
