/**
 * The fault scheduler: every few seconds one fault, taken from a shuffled round of every kind (so a
 * short run injects each at least once), then at random. Faults with a duration heal themselves; a
 * monitor restarts any process that died, whoever killed it.
 */
import type { Rng } from './rng.ts';
import type { Stack } from './stack.ts';

export const FAULT_KINDS = [
  'server_kill', 'desk_kill', 'desk_crash_before_register', 'desk_crash_after_register', 'desk_crash_after_push_answer',
  'link_blackhole', 'link_reset', 'link_drop_responses', 'link_delay', 'register_paper_out', 'register_paper_out_after',
  'register_lose_answer', 'register_unavailable', 'provider_errors',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function deskHook(url: string, path: string, body: unknown): Promise<void> {
  await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
}

export class FaultScheduler {
  readonly injected: Record<string, number> = {};
  private running = false;
  private loop: Promise<void> | null = null;
  private monitor: Promise<void> | null = null;
  private healing: Promise<unknown>[] = [];

  constructor(
    private readonly stack: Stack,
    private readonly rnd: Rng,
    private readonly everyMs: [number, number],
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
    this.monitor = this.watch();
  }

  /** Stops injecting, heals every standing fault and waits until every process is up again. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all(this.healing);
    const { stack } = this;
    for (const d of stack.desks) {
      d.proxy.setMode('pass');
      d.proxy.setDelay(0);
      await deskHook(d.url, '/api/test/crash', { point: null, kind: null });
      await deskHook(d.url, '/api/test/register', { paper: true });
    }
    stack.sim.setFaults({});
    this.monitorStop = true;
    await this.monitor;
    if (!stack.server.proc) await stack.server.start();
    for (const d of stack.desks) if (!d.alive()) await this.restartDesk(d.index);
    // A crash point armed but never reached must not fire during the checks.
    for (const d of stack.desks) await deskHook(d.url, '/api/test/crash', { point: null, kind: null });
  }

  private monitorStop = false;

  private async watch(): Promise<void> {
    while (!this.monitorStop) {
      for (const d of this.stack.desks) {
        if (!d.alive() && !d.restarting) await this.restartDesk(d.index);
      }
      await sleep(250);
    }
  }

  private async restartDesk(i: number, pauseMs = 0): Promise<void> {
    const d = this.stack.desks[i];
    if (!d || d.restarting) return;
    d.restarting = true;
    try {
      await d.kill();
      await sleep(pauseMs);
      await d.start();
    } finally {
      d.restarting = false;
    }
  }

  private async run(): Promise<void> {
    let round: FaultKind[] = [];
    while (this.running) {
      await sleep(this.rnd.int(...this.everyMs));
      if (!this.running) break;
      if (round.length === 0) round = [...FAULT_KINDS].sort(() => this.rnd.next() - 0.5);
      const kind = round.pop() as FaultKind;
      this.injected[kind] = (this.injected[kind] ?? 0) + 1;
      try {
        await this.inject(kind);
      } catch (e) {
        this.log(`сбой ${kind} не внесён: ${(e as Error).message}`);
      }
    }
  }

  private later(ms: number, heal: () => void | Promise<void>): void {
    this.healing.push(sleep(ms).then(heal));
  }

  private async inject(kind: FaultKind): Promise<void> {
    const { stack, rnd } = this;
    const desk = rnd.pick(stack.desks);
    switch (kind) {
      case 'server_kill':
        await stack.server.kill();
        await sleep(rnd.int(500, 3_000));
        await stack.server.start();
        return;
      case 'desk_kill':
        await this.restartDesk(desk.index, rnd.int(200, 1_500));
        return;
      case 'desk_crash_before_register':
      case 'desk_crash_after_register':
        // The desk dies at that point of its next payment; the monitor starts it again.
        await deskHook(desk.url, '/api/test/crash', { point: kind === 'desk_crash_before_register' ? 'before_register' : 'after_register', kind: null });
        return;
      case 'desk_crash_after_push_answer':
        await deskHook(desk.url, '/api/test/crash', { point: 'after_push_answer', kind: null });
        return;
      case 'link_blackhole':
        desk.proxy.setMode('blackhole');
        this.later(rnd.int(2_000, 6_000), () => {
          desk.proxy.setMode('pass');
          desk.proxy.cutAll();
        });
        return;
      case 'link_reset':
        desk.proxy.setMode('reset');
        this.later(rnd.int(1_000, 4_000), () => desk.proxy.setMode('pass'));
        return;
      case 'link_drop_responses':
        desk.proxy.dropResponses(rnd.int(1, 3));
        return;
      case 'link_delay':
        desk.proxy.setDelay(rnd.int(200, 1_500));
        this.later(5_000, () => desk.proxy.setDelay(0));
        return;
      case 'register_paper_out':
        await deskHook(desk.url, '/api/test/register', { paper: false });
        this.later(rnd.int(2_000, 4_000), () => deskHook(desk.url, '/api/test/register', { paper: true }));
        return;
      case 'register_paper_out_after':
        await deskHook(desk.url, '/api/test/register-fault', { kind: 'paper_out_after' });
        this.later(3_000, () => deskHook(desk.url, '/api/test/register', { paper: true }));
        return;
      case 'register_lose_answer':
        await deskHook(desk.url, '/api/test/register-fault', { kind: 'lose_answer' });
        return;
      case 'register_unavailable':
        await deskHook(desk.url, '/api/test/register-fault', { kind: 'unavailable', times: rnd.int(1, 3) });
        return;
      case 'provider_errors':
        stack.sim.setFaults({ temporary: 0.3, pending: 0.1, slow: 0.1, slowMs: 11_000, loseAnswer: 0.1 });
        this.later(8_000, () => stack.sim.setFaults({}));
        return;
    }
  }
}
