/** What the server's back-office API answers, as the screens read it. */
import type { DeskStatusReport, PointRecord } from '@paydesk/protocol';

/** What the desk last reported of itself (protocol's declaration; an older desk reports less). */
export type DeskStatus = DeskStatusReport;

export interface Desk {
  id: string;
  name: string;
  pointId: string;
  pointCode: string;
  pointName: string;
  enrolled: boolean;
  revoked: boolean;
  enrollmentPending: boolean;
  lastSeenAt: string | null;
  lastPushAt: string | null;
  online: boolean;
  status: DeskStatus | null;
  statusAt: string | null;
  /** The sync protocol version it last spoke: the previous one during an upgrade. */
  protocolVersion?: number | null;
}

/** A point of payment as the catalog API answers it. */
export type Point = PointRecord;

export interface ReportDoc {
  title: string;
  meta: { label: string; value: string }[];
  sections: ReportSection[];
}

export type ReportCell = string | number | null;
export interface ReportSection {
  kind: 'table' | 'pairs' | 'notes';
  title: string;
  columns?: { key: string; title: string; kind: 'text' | 'money' | 'count' }[];
  rows?: { cells: Record<string, ReportCell>; emphasis?: 'bad' | 'strong' }[];
  totals?: { cells: Record<string, ReportCell> };
  emptyText?: string;
}
