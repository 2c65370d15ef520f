/**
 * A KKMServer that behaves as the real one does, stranger than a driver would hope, written from
 * KKMServer's public types and samples and from its command manager as published (KkmFactory.UnitManager;
 * sources and error texts in kkm-sim-errors.ts):
 *
 * - Past device commands live in memory, 100 of them, oldest dropped first; every device command takes a
 *   slot whatever its IdCommand (empty, repeated, GetDataKKT alike); GetRezult, List and Version take none.
 *   A restart forgets them all, and commands waiting in the queue are lost.
 * - GetRezult of an id it does not hold: `Status: 3` «Команда с таким IdCommand не найдена» — forgotten,
 *   which is not "never ran".
 * - A repeated IdCommand of a command running or done: `Status: 5` at once, and that answer takes a slot
 *   too; after an error (`Status: 2`) the id runs again, the old entry no longer counts.
 * - The HTTP answer is held up to Timeout−1 s (60 s when absent, 600 s at most, none for Timeout 1), then
 *   comes back `Status: 4` (queued) or `1` (running) while the device goes on; queued commands not
 *   started within RemoveCommandInterval (30 s) are cancelled.
 * - NumDevice 0 means "the first free device", the least recently used first; a NumDevice with no device
 *   behind it fails «Устройство (с параметрами NumDevice=N) не найдено…».
 * - Fields that are zero or empty are left out of answers (EmitDefaultValue = false); GetDataKKT's
 *   `BalanceCash` is -1 when the device's driver does not know the drawer; sums may carry float noise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type { VirtualRegister } from '../virtual/virtual-register.ts';
import type { RequestMatcher } from './http-server.ts';
import { DeviceFailure, SimDevice, type KkmCmd, type SimDeviceOptions } from './kkm-sim-device.ts';
import { KKM_TEXT } from './kkm-sim-errors.ts';

export { receiptOfCommand, SimDevice, type SimDeviceOptions } from './kkm-sim-device.ts';

const DEVICE_COMMANDS = new Set([
  'RegisterCheck',
  'OpenShift',
  'CloseShift',
  'ZReport',
  'XReport',
  'OfdReport',
  'OpenCashDrawer',
  'DepositingCash',
  'PaymentCash',
  'GetDataKKT',
  'GetDataCheck',
  'GetLineLength',
  'KkmRegOfd',
]);

export interface KkmSimulatorOptions {
  port?: number;
  /** How many past commands KKMServer keeps (100 in KkmFactory.UnitManager). */
  memorySize?: number;
  /** Seconds a command may wait in the queue before KKMServer cancels it (RemoveCommandInterval, 30). */
  removeCommandIntervalS?: number;
  /** Basic auth KKMServer asks for, when set. */
  user?: string;
  password?: string;
}

type Answer = Record<string, unknown> & { Command: string; Error: string; Status: number; IdCommand: string };

interface Entry {
  id: string;
  numDevice: number;
  cmd: KkmCmd;
  answer: Answer;
  notRelevant: boolean;
  finished: Promise<void>;
  finish: () => void;
  queuedAt: number;
}

export interface KkmSimulator {
  url: string;
  port: number;
  /** The next request that matches is handled but its answer never sent: the connection is cut. */
  dropNextAnswer(match?: RequestMatcher): void;
  stop(): Promise<void>;
  /** Every request body, in order. */
  commandsSeen(): Record<string, unknown>[];
  /** KKMServer's command memory, oldest first. */
  memory(): { idCommand: string; command: string; status: number }[];
  /** KKMServer restarts: it forgets every command, loses the queue and cuts the answers it was holding. */
  restart(): void;
  /** Other clients' commands push `count` entries through the memory (100: everything is forgotten). */
  evict(count?: number): void;
  /** The device's next command hangs in "running" until unstick(). */
  stick(numDevice?: number): void;
  unstick(numDevice?: number): void;
  /** Every command takes this long on the device. */
  slow(ms: number, numDevice?: number): void;
  /** The next receipt is fiscalised, then the paper runs out: KKMServer answers the paper-out error. */
  paperOutAfterFiscal(numDevice?: number): void;
  /** Switches a device off in KKMServer's settings: commands for it find no device. */
  setDeviceActive(numDevice: number, active: boolean): void;
  device(numDevice?: number): SimDevice;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Drops the fields KKMServer leaves out when zero or empty (RezultCommand / RezultCommandKKm). */
function present(a: Answer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if ((k === 'CheckNumber' || k === 'SessionNumber' || k === 'SessionCheckNumber' || k === 'NumDevice') && !v) continue;
    if ((k === 'URL' || k === 'QRCode' || k === 'UnitName') && v === '') continue;
    if (k === 'LineLength' && v === -1) continue;
    if (v === undefined || v === null) continue;
    out[k] = v;
  }
  return out;
}

function base(command: string, id: string, status: number, error = ''): Answer {
  return { Command: command, Error: error, Warning: '', Message: '', Status: status, IdCommand: id };
}

/** How long KKMServer holds the HTTP answer for a command's Timeout (UnitManager.AddCommand). */
function holdMs(timeout: unknown): number {
  const t = Math.min(Math.trunc(Number(timeout ?? 0)) || 0, 600);
  return t === 0 ? 60_000 : Math.max(0, (t - 1) * 1000);
}

export async function startKkmSimulator(
  devicesOrOne: VirtualRegister | SimDeviceOptions[],
  options: KkmSimulatorOptions | number = {},
): Promise<KkmSimulator> {
  const opts: KkmSimulatorOptions = typeof options === 'number' ? { port: options } : options;
  const memorySize = opts.memorySize ?? 100;
  const queueLimitMs = (opts.removeCommandIntervalS ?? 30) * 1000;
  const devices = (Array.isArray(devicesOrOne) ? devicesOrOne : [{ numDevice: 1, register: devicesOrOne }]).map((o) => new SimDevice(o));
  await Promise.all(devices.map((d) => d.refreshCache()));
  const seen: Record<string, unknown>[] = [];
  let memory: Entry[] = [];
  let pending: Entry[] = [];
  const held = new Set<Socket>();
  const drops: RequestMatcher[] = [];

  const remember = (e: Entry): void => {
    memory.push(e);
    while (memory.length > memorySize) memory.shift();
  };

  const settle = (e: Entry, status: number, error: string): void => {
    e.answer.Status = status;
    e.answer.Error = error;
    e.finish();
  };

  const start = (e: Entry, d: SimDevice): void => {
    d.busy = true;
    d.lastCommandAt = Date.now();
    e.answer.Status = 1;
    e.answer.NumDevice = d.numDevice;
    void d
      .run(e.cmd, e.id)
      .then((extra) => {
        Object.assign(e.answer, extra);
        settle(e, 0, '');
      })
      .catch((err: unknown) => settle(e, 2, err instanceof DeviceFailure ? err.message : String((err as Error).message)))
      .finally(() => {
        d.busy = false;
        pump();
      });
  };

  /** ManagerCommand: starts queued commands on free devices, fails those no device can take. */
  const pump = (): void => {
    for (const e of [...pending]) {
      const usable = devices.filter((d) => d.active && (e.numDevice === 0 || d.numDevice === e.numDevice));
      if (usable.length === 0) {
        pending = pending.filter((x) => x !== e);
        settle(e, 2, KKM_TEXT.deviceNotFound(e.numDevice));
        continue;
      }
      const free = usable.filter((d) => !d.busy).sort((a, b) => a.lastCommandAt - b.lastCommandAt)[0];
      if (!free) continue;
      pending = pending.filter((x) => x !== e);
      start(e, free);
    }
  };

  const expireQueue = setInterval(() => {
    for (const e of pending.filter((x) => Date.now() - x.queuedAt > queueLimitMs)) {
      pending = pending.filter((x) => x !== e);
      settle(e, 2, KKM_TEXT.queueExpired);
    }
  }, 250);
  expireQueue.unref();

  const newEntry = (cmd: KkmCmd, id: string, status: number, error = ''): Entry => {
    let finish = (): void => {};
    const finished = new Promise<void>((r) => (finish = r));
    const e: Entry = {
      id,
      numDevice: Math.trunc(Number(cmd['NumDevice'] ?? 0)) || 0,
      cmd,
      answer: base(String(cmd['Command']), id, status, error),
      notRelevant: false,
      finished,
      finish,
      queuedAt: Date.now(),
    };
    if (status !== 4) finish();
    return e;
  };

  const getRezult = (id: string): Record<string, unknown> => {
    if (!id) return base('GetRezult', '', 2, KKM_TEXT.noId);
    const e = memory.find((x) => x.id === id && !x.notRelevant);
    if (!e) return { ...base('GetRezult', '', 3, KKM_TEXT.notFound), Rezult: { ...base('<Не определено>', id, 3, '<Не определено>') } };
    return { ...base('GetRezult', '', 0), Rezult: present({ ...e.answer }) };
  };

  async function handle(cmd: KkmCmd): Promise<Record<string, unknown>> {
    const command = typeof cmd['Command'] === 'string' ? cmd['Command'] : '';
    const id = typeof cmd['IdCommand'] === 'string' ? cmd['IdCommand'] : '';
    if (command === 'GetRezult') return getRezult(id);
    if (command === 'List') {
      const n = Number(cmd['NumDevice'] ?? 0);
      return { ...base('List', id, 0), ListUnit: devices.filter((d) => !n || d.numDevice === n).map((d) => d.listEntry()) };
    }
    if (command === 'Version') return { ...base('Version', id, 0), Verson: '2.2.31.44' };
    if (!DEVICE_COMMANDS.has(command)) return base(command, id, 2, KKM_TEXT.unknownCommand(command));
    let again = false;
    if (id) {
      const prev = memory.find((x) => x.id === id && !x.notRelevant);
      if (prev && prev.answer.Status === 2) prev.notRelevant = true;
      else if (prev) again = true;
    }
    if (again) {
      const e = newEntry(cmd, id, 5, KKM_TEXT.alreadyDone);
      remember(e);
      return present({ ...e.answer });
    }
    const e = newEntry(cmd, id, 4);
    remember(e);
    pending.push(e);
    pump();
    await Promise.race([e.finished, sleep(holdMs(cmd['Timeout']))]);
    return present({ ...e.answer });
  }

  const expectedAuth = opts.user ? `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64')}` : null;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async (): Promise<void> => {
        const send = (status: number, body: unknown): void => {
          if (!res.destroyed && !req.socket.destroyed)
            res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
        };
        if (expectedAuth && req.headers.authorization !== expectedAuth) return send(401, { Status: 2, Error: 'Неверный логин или пароль' });
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method !== 'POST' || url.pathname !== '/Execute') return send(404, { Status: 2, Error: 'Нет такого метода' });
        let cmd: KkmCmd;
        try {
          cmd = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as KkmCmd;
        } catch {
          return send(200, base('', '', 2, 'Ошибка разбора JSON команды'));
        }
        seen.push(cmd);
        held.add(req.socket);
        let answer: Record<string, unknown>;
        try {
          answer = await handle(cmd);
        } finally {
          held.delete(req.socket);
        }
        const head = drops[0];
        if (head?.({ method: req.method, path: url.pathname, body: cmd })) {
          drops.shift();
          req.socket.destroy();
          return;
        }
        send(200, answer);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const deviceOf = (numDevice?: number): SimDevice => {
    const d = numDevice === undefined ? devices[0] : devices.find((x) => x.numDevice === numDevice);
    if (!d) throw new Error(`no simulated device ${numDevice ?? ''}`);
    return d;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dropNextAnswer: (match = () => true) => void drops.push(match),
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(expireQueue);
        for (const d of devices) d.unstick();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    commandsSeen: () => seen,
    memory: () => memory.map((e) => ({ idCommand: e.id, command: e.answer.Command, status: e.answer.Status })),
    restart: () => {
      memory = [];
      pending = [];
      for (const s of held) s.destroy();
      held.clear();
    },
    evict: (count = memorySize) => {
      for (let i = 0; i < count; i++) remember(newEntry({ Command: 'GetDataKKT', NumDevice: 0 }, `other-client-${Date.now()}-${i}`, 0));
    },
    stick: (n) => deviceOf(n).stick(),
    unstick: (n) => deviceOf(n).unstick(),
    slow: (ms, n) => void (deviceOf(n).delayMs = ms),
    paperOutAfterFiscal: (n) => deviceOf(n).register.injectFault({ kind: 'paper_out_after' }),
    setDeviceActive: (n, active) => void (deviceOf(n).active = active),
    device: deviceOf,
  };
}
