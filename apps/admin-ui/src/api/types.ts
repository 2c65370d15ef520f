/** What the server's back-office API answers, as the screens read it. */
export interface DeskStatus {
  unsentCount: number;
  oldestUnsentAt: string | null;
  rejectedCount: number;
  lastSyncAt?: string | null;
  shift?: { open: boolean; number: number | null; openedAt: string | null; expiresAt: string | null };
  register?: {
    driver: string;
    connected: boolean;
    paperPresent: boolean;
    unsentToOfdCount: number;
    oldestUnsentToOfdAt: string | null;
    fnValidUntil?: string | null;
    warnings: string[];
  };
  cashier?: string | null;
}

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
}

export interface Point {
  id: string;
  code: string;
  name: string;
  address: string;
  active: boolean;
}

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
