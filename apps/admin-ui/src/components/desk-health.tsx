/** A desk's health at a glance: online light, unsent operations, shift age, register warnings. */
import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { PROTOCOL_VERSION } from '@paydesk/protocol';
import type { Desk } from '../api/types.ts';
import { ago, date, dateTime, time } from '../format.ts';

const HOUR = 3_600_000;

export function deskProblems(d: Desk, now = Date.now()): string[] {
  const s = d.status;
  const out: string[] = [];
  if (d.revoked) return ['ключ отозван'];
  if (!d.enrolled) return [d.enrollmentPending ? 'ждёт регистрации' : 'код регистрации истёк'];
  // What a silent desk last said is old news: it is out of touch first, whatever it said then.
  if (!d.online) out.push(`молчит ${ago(d.lastSeenAt, now).replace(' назад', '')}`);
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
    out.push(`ФН до ${date(s.register.fnValidUntil)}`);
  for (const w of s?.register?.warnings ?? []) out.push(w);
  // Accepted until updated, but the upgrade of its point is not finished.
  if (d.protocolVersion !== null && d.protocolVersion !== undefined && d.protocolVersion < PROTOCOL_VERSION)
    out.push(`старая версия кассы: обновите (протокол ${d.protocolVersion})`);
  return out;
}

/** The desk's program version, as it last reported it. */
export function DeskVersion({ desk }: { desk: Desk }) {
  const v = desk.status?.version;
  if (!v) return null;
  return (
    <Text size="sm" c="dimmed" data-testid={`version-${desk.name}`}>
      {v}
    </Text>
  );
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
        style={{ overflow: 'visible', flexShrink: 0 }}
        styles={{ label: { overflow: 'visible' } }}
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

/** When the desk was last heard from: «сейчас» while it is, the time and how long ago once it is not. */
export function LastSeen({ desk }: { desk: Desk }) {
  if (!desk.lastSeenAt) return <Text c="dimmed">никогда</Text>;
  if (desk.online) return <Text>сейчас</Text>;
  const today = new Date(desk.lastSeenAt).toDateString() === new Date().toDateString();
  return (
    <Text c="red">
      {today ? time(desk.lastSeenAt) : dateTime(desk.lastSeenAt)}, {ago(desk.lastSeenAt)}
    </Text>
  );
}

export function Problems({ desk }: { desk: Desk }) {
  const list = deskProblems(desk);
  if (list.length === 0) return <Text c="green">в порядке</Text>;
  return (
    <Group gap={4}>
      {list.map((p) => (
        <Badge key={p} color="red" variant="light" tt="none" styles={{ label: { overflow: 'visible' } }}>
          {p}
        </Badge>
      ))}
    </Group>
  );
}
