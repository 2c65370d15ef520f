/** A desk's health at a glance: online light, unsent operations, shift age, register warnings. */
import { Badge, Group, Text, Tooltip } from '@mantine/core';
import type { Desk } from '../api/types.ts';
import { ago } from '../format.ts';

const HOUR = 3_600_000;

export function deskProblems(d: Desk, now = Date.now()): string[] {
  const s = d.status;
  const out: string[] = [];
  if (d.revoked) return ['ключ отозван'];
  if (!d.enrolled) return [d.enrollmentPending ? 'ждёт регистрации' : 'код регистрации истёк'];
  if (s?.shift?.open && s.shift.openedAt && now - new Date(s.shift.openedAt).getTime() > 24 * HOUR) out.push('смена открыта больше 24 ч');
  if ((s?.unsentCount ?? 0) > 0) out.push(`не отправлено: ${s?.unsentCount ?? 0}`);
  if ((s?.rejectedCount ?? 0) > 0) out.push(`отклонено: ${s?.rejectedCount ?? 0}`);
  if (s?.register && !s.register.connected) out.push('ККТ не отвечает');
  if (s?.register && !s.register.paperPresent) out.push('нет бумаги');
  if (
    s?.register &&
    s.register.unsentToOfdCount > 0 &&
    s.register.oldestUnsentToOfdAt &&
    now - new Date(s.register.oldestUnsentToOfdAt).getTime() > 24 * HOUR
  )
    out.push(`ОФД: ${s.register.unsentToOfdCount} не отправлено больше суток`);
  if (s?.register?.fnValidUntil && new Date(s.register.fnValidUntil).getTime() - now < 30 * 24 * HOUR)
    out.push(`ФН до ${s.register.fnValidUntil}`);
  for (const w of s?.register?.warnings ?? []) out.push(w);
  return out;
}

export function OnlineBadge({ desk }: { desk: Desk }) {
  const color = desk.revoked || !desk.enrolled ? 'gray' : desk.online ? 'green' : 'red';
  const text = desk.revoked ? 'отозвана' : !desk.enrolled ? 'не подключена' : desk.online ? 'на связи' : 'нет связи';
  return (
    <Tooltip label={`Последний раз: ${ago(desk.lastSeenAt)}`}>
      <Badge
        color={color}
        variant="dot"
        size="lg"
        style={{ overflow: 'visible' }}
        miw={130}
        data-testid={`online-${desk.name}`}
        data-state={desk.online ? 'online' : 'offline'}
      >
        {text}
      </Badge>
    </Tooltip>
  );
}

export function ShiftText({ desk }: { desk: Desk }) {
  const shift = desk.status?.shift;
  if (!shift?.open || !shift.openedAt) return <Text c="dimmed">закрыта</Text>;
  const hours = (Date.now() - new Date(shift.openedAt).getTime()) / HOUR;
  return (
    <Text c={hours > 24 ? 'red' : undefined} fw={hours > 24 ? 700 : undefined}>
      № {shift.number} · {Math.floor(hours)} ч {Math.floor((hours % 1) * 60)} мин
    </Text>
  );
}

export function Problems({ desk }: { desk: Desk }) {
  const list = deskProblems(desk);
  if (list.length === 0) return <Text c="green">в порядке</Text>;
  return (
    <Group gap={4}>
      {list.map((p) => (
        <Badge key={p} color="red" variant="light">
          {p}
        </Badge>
      ))}
    </Group>
  );
}
