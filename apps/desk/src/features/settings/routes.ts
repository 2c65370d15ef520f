/** The desk's settings screen (administrators): server, intervals, register driver and address. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, deskSettingsRequest, enrollDeskRequest } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { PUBLIC, requireCashier } from '../../http/auth.ts';
import { enrollWithServer } from '../../identity.ts';
import type { RegisterSettings } from '@paydesk/fiscal';
import { loadRegisterSettings, saveRegisterSettings } from './register-settings.ts';
import { loadTerminalSettings, saveTerminalSettings, type StoredTerminalSettings } from '../card/terminal-holder.ts';

export function settingsRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/settings', { schema: { tags: ['Настройки'], summary: 'Настройки кассы' } }, async (req) => {
    requireCashier(req);
    const id = deps.identity.current();
    const register = (loadRegisterSettings(deps.db, deps.dataDir) ?? { driver: 'virtual' }) as {
      driver: string;
      url?: string;
      user?: string;
      password?: string;
    };
    return {
      deskId: id?.deskId ?? null,
      deskName: id?.name ?? null,
      epoch: id?.epoch ?? null,
      serverUrl: id?.serverUrl ?? null,
      syncIntervalSeconds: deps.settings.get('syncIntervalSeconds'),
      pullIntervalSeconds: deps.settings.get('pullIntervalSeconds'),
      register: {
        driver: register.driver,
        url: register.url ?? null,
        user: register.user ?? null,
        passwordSet: Boolean(register.password),
      },
      registerActive: deps.register.describe,
      terminal: ((t) => ({ driver: t?.driver ?? null, url: t && 'url' in t ? t.url : null }))(loadTerminalSettings(deps.db, deps.dataDir)),
      terminalActive: deps.terminal.describe,
      billingName: deps.settings.get('billingName'),
      point: {
        address: deps.settings.get('settlementAddress') ?? null,
        place: deps.settings.get('settlementPlace') ?? null,
        orgName: deps.settings.get('orgName') ?? null,
        orgInn: deps.settings.get('orgInn') ?? null,
        paperlessReceipts: deps.settings.get('paperlessReceipts'),
      },
      agent: {
        type: deps.settings.get('agentType'),
        phone: deps.settings.get('agentPhone') ?? null,
        operatorPhone: deps.settings.get('operatorPhone') ?? null,
        taxSystem: deps.settings.get('taxSystem'),
      },
      local: deps.settings.local(),
    };
  });
  r.put(
    '/api/settings',
    { schema: { tags: ['Настройки'], summary: 'Изменить настройки кассы (администратор)', body: deskSettingsRequest } },
    async (req) => {
      requireCashier(req, ['admin']);
      const body = req.body;
      if (body.register) {
        // An unsettled operation is settled by asking the device it was sent to: another one cannot tell.
        const open = deps.runner.unresolved().length + deps.runner.unprinted().length;
        if (open > 0)
          throw new AppError(
            'conflict',
            `ККТ нельзя сменить: операций не сверено или не допечатано: ${open}. Сначала сверьте их с текущей ККТ (меню «ККМ» → «Сверить»).`,
            { open },
          );
      }
      if (body.terminal) {
        // A card command of unknown outcome is settled by asking the terminal it went to.
        const open = deps.cards.open().length + deps.cards.orphans().length;
        if (open > 0)
          throw new AppError(
            'conflict',
            `Терминал нельзя сменить: операций по карте не сверено или без чека: ${open}. Сначала завершите их (меню «ККМ» → «Терминал оплаты картой»).`,
            { open },
          );
      }
      if (body.serverUrl) deps.identity.setServerUrl(body.serverUrl);
      const local: Record<string, unknown> = {};
      if (body.syncIntervalSeconds !== undefined) local['syncIntervalSeconds'] = body.syncIntervalSeconds;
      if (body.pullIntervalSeconds !== undefined) local['pullIntervalSeconds'] = body.pullIntervalSeconds;
      if (body.printChange !== undefined) local['printChange'] = body.printChange;
      if (body.language !== undefined) local['language'] = body.language;
      if (Object.keys(local).length) deps.settings.setLocal(local);
      // The register driver takes effect when the desk restarts: a device is not swapped mid-operation.
      if (body.register) saveRegisterSettings(deps.db, deps.dataDir, body.register as RegisterSettings);
      if (body.terminal) saveTerminalSettings(deps.db, deps.dataDir, body.terminal as StoredTerminalSettings);
      return { ok: true, restartNeeded: body.register !== undefined || body.terminal !== undefined };
    },
  );

  // A new desk enrolls before anyone can sign in, by someone at the desk (its own one-time code); an enrolled one only by its administrator.
  r.post(
    '/api/enroll',
    {
      ...PUBLIC,
      schema: { tags: ['Настройки'], summary: 'Зарегистрировать кассу на сервере по одноразовому коду', body: enrollDeskRequest },
    },
    async (req) => {
      if (deps.identity.current()) requireCashier(req, ['admin']);
      else if (deps.enrollPin.paused()) {
        throw new AppError(
          'auth.rate_limited',
          'Пять неверных кодов кассы подряд: подождите минуту и введите новый код (он в журнале службы и в enroll.pin)',
        );
      } else if (!deps.enrollPin.check(req.body.pin)) {
        throw new AppError(
          'auth.forbidden',
          `Нужен код этой кассы: он в журнале её службы («Код этой кассы для регистрации») и в файле ${deps.enrollPin.file} (после 5 неверных — новый код и минута ожидания)`,
        );
      }
      const e = await enrollWithServer(req.body.serverUrl, req.body.code);
      const id = deps.identity.save(req.body.serverUrl, e);
      deps.enrollPin.clear();
      deps.sync.resetAfterEnrollment();
      return { deskId: id.deskId, name: id.name, epoch: id.epoch };
    },
  );
}
