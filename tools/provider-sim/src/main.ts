/** paydesk-provider-sim [--port 8090] [--config file.json]: the OSMP provider simulator as a process. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { DEMO_CONFIG } from './default-config.ts';
import { startProviderSim, type SimConfig } from './provider-sim.ts';

const program = new Command('paydesk-provider-sim')
  .description('Симулятор поставщика по протоколу ОСМП (QIWI): check/pay, ошибки, журнал зачислений')
  .option('--port <port>', 'порт (PAYDESK_SIM_PORT, 8090)', process.env['PAYDESK_SIM_PORT'] ?? '8090')
  .option('--host <host>', 'адрес', '127.0.0.1')
  .option('--config <file>', 'JSON с поставщиками, счетами и сбоями')
  .action(async (o: { port: string; host: string; config?: string }) => {
    const config = o.config ? (JSON.parse(readFileSync(o.config, 'utf8')) as SimConfig) : DEMO_CONFIG;
    const sim = await startProviderSim(config, Number(o.port), o.host);
    console.log(`Provider simulator: ${sim.url} (providers: ${config.providers.map((p) => p.code).join(', ')})`);
    const stop = (): void => void sim.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

await program.parseAsync(process.argv);
