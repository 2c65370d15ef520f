/** Every port the demo needs, checked before anything starts, so a taken one is named with its variable. */
import { createServer } from 'node:net';

export class PortTaken extends Error {}

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function checkPorts(wanted: { port: number; what: string; variable: string }[]): Promise<void> {
  for (const w of wanted) {
    if (!Number.isInteger(w.port) || w.port < 1 || w.port > 65_535) throw new PortTaken(`${w.variable}=${w.port}: неверный порт`);
    if (!(await free(w.port)))
      throw new PortTaken(`порт ${w.port} для ${w.what} занят другой программой. Освободите его или задайте другой: ${w.variable}=…`);
  }
}
