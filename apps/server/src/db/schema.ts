/**
 * The tables as Kysely sees them. bigint columns are read as JS numbers (both pg and PGlite are set
 * up that way): kopecks and versions stay far below 2^53.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;

export interface PointsTable {
  id: string;
  code: string;
  name: string;
  address: Generated<string>;
  active: Generated<boolean>;
  created_at: GeneratedTimestamp;
  version: Generated<number>;
}

export interface DesksTable {
  id: string;
  point_id: string;
  name: string;
  key_hash: string | null;
  enrollment_code_hash: string | null;
  enrollment_expires_at: Timestamp | null;
  epoch: Generated<number>;
  last_seq: Generated<number>;
  revoked_at: Timestamp | null;
  last_seen_at: Timestamp | null;
  last_push_at: Timestamp | null;
  status: Json | null;
  status_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  /** The incarnation this desk has shown everything it holds to: its payments are forwarded only then. */
  synced_incarnation: string | null;
  reported_acked_seq: number | null;
  /** The sync protocol version the desk last spoke (null until its first push or pull). */
  protocol_version: number | null;
}

export type UserRole = 'cashier' | 'senior_cashier' | 'admin' | 'integrator';

export interface UsersTable {
  id: string;
  login: string;
  name: string;
  role: UserRole;
  password_hash: string;
  inn: string | null;
  point_id: string | null;
  active: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: GeneratedTimestamp;
  version: Generated<number>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** A machine client's key (issue 24 item 8): only its hash is kept; `scopes` is a subset of API_SCOPES. */
export interface ApiKeysTable {
  id: string;
  name: string;
  scopes: Json<string[]>;
  key_hash: string;
  /** The key's first characters, to tell keys apart in lists: `pda_` and 8 more. */
  key_prefix: string;
  created_at: GeneratedTimestamp;
  created_by: string | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  last_used_at: Timestamp | null;
}

export interface SuppliersTable {
  id: string;
  name: string;
  inn: string;
  kpp: string | null;
  phone: string | null;
  bank_name: string | null;
  bic: string | null;
  account: string | null;
  corr_account: string | null;
  commission: Json;
  agent_type: 'paying_agent' | 'paying_subagent';
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface ServicesTable {
  code: string;
  name: string;
  supplier_id: string;
  unit: string | null;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface AccountsTable {
  number: string;
  els: string | null;
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
  owner_name: string | null;
  status: 'active' | 'closed';
  version: Generated<number>;
}

export interface ChargesTable {
  account_number: string;
  service_code: string;
  period: string;
  due_kop: number;
  penalty_kop: Generated<number>;
  paid_kop: Generated<number>;
  paid_penalty_kop: Generated<number>;
  charge_kop: number | null;
  version: Generated<number>;
  /** The charge's own supplier, when not the service's (one service, many УК). */
  supplier_id: string | null;
}

export interface MetersTable {
  id: string;
  account_number: string;
  service_code: string;
  serial: string;
  digits: number;
  fraction_digits: Generated<number>;
  verification_due: ColumnType<string | null, string | null, string | null>;
  jump_threshold: number | null;
  last_value_milli: number | null;
  last_date: ColumnType<string | null, string | null, string | null>;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface ProvidersTable {
  code: string;
  name: string;
  category: string;
  inn: string;
  kpp: string | null;
  phone: string | null;
  account_label: string;
  account_mask: string;
  account_example: string;
  normalize: 'none' | 'digits' | 'phone';
  min_kop: number | null;
  max_kop: number | null;
  commission: Json;
  agent_type: 'paying_agent' | 'paying_subagent';
  check_required: boolean;
  offline_allowed: boolean;
  can_cancel: boolean;
  channel: 'osmp' | 'registry';
  osmp_url: string | null;
  osmp_user: string | null;
  osmp_password: string | null;
  timeout_ms: Generated<number>;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface PriceItemsTable {
  code: string;
  name: string;
  price_kop: number;
  unit: string;
  vat: string;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface SettingsTable {
  key: string;
  scope: 'global' | 'point' | 'desk';
  scope_id: Generated<string>;
  value: Json;
  version: Generated<number>;
}

export interface OpsTable {
  desk_id: string;
  epoch: number;
  seq: number;
  op_id: string;
  type: string;
  body: Json;
  body_hash: string;
  outcome: 'applied' | 'applied_with_review' | 'rejected';
  code: string | null;
  message: string | null;
  received_at: GeneratedTimestamp;
}

export interface PaymentsTable {
  op_id: string;
  desk_id: string;
  point_id: string;
  cashier_id: string;
  kind: 'billing' | 'thirdparty' | 'service';
  number: string;
  account_number: string | null;
  provider_code: string | null;
  provider_account: string | null;
  accepted_at: Timestamp;
  shift_number: number;
  method: 'cash' | 'card';
  tendered_kop: number | null;
  total_kop: number;
  commission_kop: number;
  principal_kop: number;
  fiscal: Json;
  state: Generated<'accepted' | 'reversed'>;
  reversed_by: string | null;
  review: Generated<boolean>;
  recorded_at: GeneratedTimestamp;
  /** The batch its day was closed into (features/exports/batches.ts); null until then. */
  batch_id: string | null;
}

export interface PaymentLinesTable {
  op_id: string;
  line_no: number;
  code: string;
  name: string | null;
  supplier_id: string | null;
  period: string | null;
  quantity: Generated<number>;
  amount_kop: number;
  penalty_kop: Generated<number>;
  commission_kop: Generated<number>;
}

export interface ReadingsTable {
  op_id: string;
  desk_id: string;
  cashier_id: string;
  account_number: string;
  meter_id: string;
  meter_serial: string;
  service_code: string;
  value: string;
  value_milli: number;
  read_at: ColumnType<string, string, string>;
  period: string;
  submitted_at: Timestamp;
  findings: Json<string[]>;
  confirmed: Json<string[]>;
  review: Generated<boolean>;
}

export interface ReversalsTable {
  op_id: string;
  original_op_id: string;
  desk_id: string;
  cashier_id: string;
  approved_by: string | null;
  reason: string;
  amount_kop: number;
  method: string;
  shift_number: number;
  fiscal: Json;
  reversed_at: Timestamp;
  review: Generated<boolean>;
  batch_id: string | null;
}

export interface CashOpsTable {
  op_id: string;
  desk_id: string;
  type: 'in' | 'out' | 'counted';
  amount_kop: number;
  expected_kop: number | null;
  difference_kop: number | null;
  denominations: Json | null;
  comment: string | null;
  cashier_id: string;
  shift_number: number;
  at: Timestamp;
}

export interface CorrectionsTable {
  op_id: string;
  desk_id: string;
  number: string;
  direction: 'income' | 'return';
  correction_type: 'self' | 'instruction';
  base_date: string;
  base_number: string;
  description: string;
  method: 'cash' | 'card';
  total_kop: number;
  supplier_id: string | null;
  cashier_id: string;
  approved_by: string;
  shift_number: number;
  fiscal: Json;
  made_at: Timestamp;
}

export interface ShiftsTable {
  desk_id: string;
  shift_number: number;
  opened_at: Timestamp | null;
  closed_at: Timestamp | null;
  opened_by: string | null;
  closed_by: string | null;
  opening_float_kop: number | null;
  register_totals: Json | null;
  journal_totals: Json | null;
  unsent_at_close: number | null;
}

export type { ForwardingState } from '@paydesk/protocol';
import type { ForwardingState, ReviewCode } from '@paydesk/protocol';

export interface ForwardingsTable {
  op_id: string;
  desk_id: string;
  provider_code: string;
  account: string;
  amount_kop: number;
  txn_id: string;
  txn_date: string;
  state: ForwardingState;
  /** The desk's reversal that holds the payment out of forwarding, while state is held or cancelled. */
  held_for: string | null;
  held_at: Timestamp | null;
  prv_txn: string | null;
  result_code: number | null;
  comment: string | null;
  attempts: Generated<number>;
  next_attempt_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  version: Generated<number>;
}

export interface ReviewItemsTable {
  id: string;
  created_at: GeneratedTimestamp;
  kind: string;
  code: ReviewCode;
  message: string;
  op_id: string | null;
  desk_id: string | null;
  context: Json;
  status: Generated<'open' | 'resolved'>;
  resolution: string | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
}

export interface AuditLogTable {
  id: number;
  at: GeneratedTimestamp;
  actor_type: 'user' | 'desk' | 'system';
  actor_id: string | null;
  action: string;
  target: string | null;
  details: Json;
  prev_hash: string;
  hash: string;
  /** The hash is an HMAC with the server's audit key (entries since migration 0015 on a keyed server). */
  keyed: Generated<boolean>;
}

export interface BillingFeedTable {
  position: number;
  op_id: string;
  kind: 'payment' | 'reversal' | 'reading';
  at: Timestamp;
  payload: Json;
}

export interface FeedAcksTable {
  consumer: string;
  position: number;
  acked_at: GeneratedTimestamp;
}

export interface ImportsTable {
  id: string;
  kind: 'accounts' | 'charges' | 'meters';
  file_name: string;
  status: 'validating' | 'applying' | 'done' | 'failed';
  total_rows: Generated<number>;
  processed_rows: Generated<number>;
  changed_rows: Generated<number>;
  error_count: Generated<number>;
  errors: Json;
  created_by: string | null;
  started_at: GeneratedTimestamp;
  finished_at: Timestamp | null;
  mode: Generated<'update' | 'snapshot'>;
  encoding: 'utf-8' | 'windows-1251' | null;
  delimiter: string | null;
  /** The feed position the file's debts were computed at: payments after it stay counted as paid. */
  as_of: number | null;
  closed_rows: Generated<number>;
}

/** Facts about the server itself: its incarnation (db/incarnation.ts). */
export interface ServerMetaTable {
  key: string;
  value: string;
  updated_at: GeneratedTimestamp;
}

export interface SupplierTransfersTable {
  supplier_id: string;
  day: string;
  order_number: string;
  order_date: string;
  amount_kop: number;
  recorded_by: string | null;
  recorded_at: GeneratedTimestamp;
}

export interface BatchesTable {
  id: string;
  point_id: string;
  day: string;
  number: number;
  kind: 'day' | 'correction';
  closed_at: GeneratedTimestamp;
  closed_by: string | null;
  payments_count: number;
  accepted_kop: number;
  commission_kop: number;
  reversals_count: number;
  reversed_kop: number;
  /** The registries were written down at closing (batch_registry_lines); false for batches closed before that. */
  frozen: Generated<boolean>;
  /** The billing's part at closing: payments to accounts and the reversals that undid them. */
  billing: Json | null;
}

export interface BatchSuppliersTable {
  batch_id: string;
  supplier_id: string;
  name: string;
  inn: string;
  account: string | null;
}

export interface BatchRegistryLinesTable {
  batch_id: string;
  supplier_id: string;
  line_no: number;
  reversal: boolean;
  line: Json;
}

export interface UserPointsTable {
  user_id: string;
  point_id: string;
}

export interface DB {
  user_points: UserPointsTable;
  batch_suppliers: BatchSuppliersTable;
  batch_registry_lines: BatchRegistryLinesTable;
  batches: BatchesTable;
  server_meta: ServerMetaTable;
  supplier_transfers: SupplierTransfersTable;
  points: PointsTable;
  desks: DesksTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  suppliers: SuppliersTable;
  services: ServicesTable;
  accounts: AccountsTable;
  charges: ChargesTable;
  meters: MetersTable;
  providers: ProvidersTable;
  price_items: PriceItemsTable;
  settings: SettingsTable;
  ops: OpsTable;
  payments: PaymentsTable;
  payment_lines: PaymentLinesTable;
  readings: ReadingsTable;
  reversals: ReversalsTable;
  cash_ops: CashOpsTable;
  corrections: CorrectionsTable;
  shifts: ShiftsTable;
  forwardings: ForwardingsTable;
  review_items: ReviewItemsTable;
  audit_log: AuditLogTable;
  billing_feed: BillingFeedTable;
  feed_acks: FeedAcksTable;
  imports: ImportsTable;
}
