/**
 * The system of record. Constraints that protect money live here, not in application code:
 * one row per operation id in every effect table, one op per (desk, epoch, seq), one forwarding
 * per payment, positions of the billing feed unique and assigned in commit order.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE SEQUENCE ref_version;
CREATE SEQUENCE feed_position;

CREATE TABLE points (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  address text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL DEFAULT 0
);

CREATE TABLE desks (
  id uuid PRIMARY KEY,
  point_id uuid NOT NULL REFERENCES points(id),
  name text NOT NULL,
  key_hash text,
  enrollment_code_hash text,
  enrollment_expires_at timestamptz,
  epoch integer NOT NULL DEFAULT 0,
  last_seq bigint NOT NULL DEFAULT 0,
  revoked_at timestamptz,
  last_seen_at timestamptz,
  last_push_at timestamptz,
  status jsonb,
  status_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX desks_key_hash ON desks (key_hash) WHERE key_hash IS NOT NULL;
CREATE UNIQUE INDEX desks_enrollment_code ON desks (enrollment_code_hash) WHERE enrollment_code_hash IS NOT NULL;

CREATE TABLE users (
  id uuid PRIMARY KEY,
  login text NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('cashier', 'senior_cashier', 'admin', 'integrator')),
  password_hash text NOT NULL,
  inn text,
  point_id uuid REFERENCES points(id),
  active boolean NOT NULL DEFAULT true,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL DEFAULT 0
);
CREATE INDEX users_version ON users (version);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

CREATE TABLE suppliers (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  inn text NOT NULL,
  kpp text,
  phone text,
  bank_name text,
  bic text,
  account text,
  corr_account text,
  commission jsonb NOT NULL DEFAULT '{"kind":"none","mode":"on_top"}',
  agent_type text NOT NULL DEFAULT 'paying_agent' CHECK (agent_type IN ('paying_agent', 'paying_subagent')),
  active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX suppliers_inn_kpp ON suppliers (inn, coalesce(kpp, ''));
CREATE INDEX suppliers_version ON suppliers (version);

CREATE TABLE services (
  code text PRIMARY KEY,
  name text NOT NULL,
  supplier_id uuid NOT NULL REFERENCES suppliers(id),
  unit text,
  active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL DEFAULT 0
);
CREATE INDEX services_version ON services (version);

CREATE TABLE accounts (
  number text PRIMARY KEY,
  els text,
  city text,
  street text,
  house text,
  building text,
  flat text,
  owner_name text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  version bigint NOT NULL DEFAULT 0
);
CREATE INDEX accounts_version ON accounts (version);
CREATE INDEX accounts_els ON accounts (els) WHERE els IS NOT NULL;
CREATE INDEX accounts_street ON accounts (lower(street), house, flat);

CREATE TABLE charges (
  account_number text NOT NULL REFERENCES accounts(number),
  service_code text NOT NULL REFERENCES services(code),
  period text NOT NULL,
  due_kop bigint NOT NULL,
  penalty_kop bigint NOT NULL DEFAULT 0,
  paid_kop bigint NOT NULL DEFAULT 0,
  paid_penalty_kop bigint NOT NULL DEFAULT 0,
  charge_kop bigint,
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (account_number, service_code, period)
);
CREATE INDEX charges_version ON charges (version);

CREATE TABLE meters (
  id uuid PRIMARY KEY,
  account_number text NOT NULL REFERENCES accounts(number),
  service_code text NOT NULL REFERENCES services(code),
  serial text NOT NULL,
  digits integer NOT NULL CHECK (digits BETWEEN 1 AND 12),
  fraction_digits integer NOT NULL DEFAULT 3 CHECK (fraction_digits BETWEEN 0 AND 3),
  verification_due date,
  jump_threshold integer,
  last_value_milli bigint,
  last_date date,
  active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL DEFAULT 0,
  UNIQUE (account_number, serial)
);
CREATE INDEX meters_version ON meters (version);

CREATE TABLE providers (
  code text PRIMARY KEY,
  name text NOT NULL,
  category text NOT NULL,
  inn text NOT NULL,
  kpp text,
  phone text,
  account_label text NOT NULL,
  account_mask text NOT NULL,
  account_example text NOT NULL,
  normalize text NOT NULL DEFAULT 'none' CHECK (normalize IN ('none', 'digits', 'phone')),
  min_kop bigint,
  max_kop bigint,
  commission jsonb NOT NULL DEFAULT '{"kind":"none","mode":"on_top"}',
  agent_type text NOT NULL DEFAULT 'paying_agent' CHECK (agent_type IN ('paying_agent', 'paying_subagent')),
  check_required boolean NOT NULL DEFAULT false,
  offline_allowed boolean NOT NULL DEFAULT true,
  can_cancel boolean NOT NULL DEFAULT false,
  channel text NOT NULL DEFAULT 'osmp' CHECK (channel IN ('osmp', 'registry')),
  osmp_url text,
  osmp_user text,
  osmp_password text,
  timeout_ms integer NOT NULL DEFAULT 15000,
  active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL DEFAULT 0
);
CREATE INDEX providers_version ON providers (version);

CREATE TABLE price_items (
  code text PRIMARY KEY,
  name text NOT NULL,
  price_kop bigint NOT NULL CHECK (price_kop >= 0),
  unit text NOT NULL DEFAULT 'шт',
  vat text NOT NULL DEFAULT 'none',
  active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL DEFAULT 0
);
CREATE INDEX price_items_version ON price_items (version);

CREATE TABLE settings (
  key text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('global', 'point', 'desk')),
  scope_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
  value jsonb NOT NULL,
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (key, scope, scope_id)
);
CREATE INDEX settings_version ON settings (version);

CREATE TABLE ops (
  desk_id uuid NOT NULL REFERENCES desks(id),
  epoch integer NOT NULL,
  seq bigint NOT NULL,
  op_id uuid NOT NULL,
  type text NOT NULL,
  body jsonb NOT NULL,
  body_hash text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('applied', 'applied_with_review', 'rejected')),
  code text,
  message text,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (desk_id, epoch, seq)
);
CREATE INDEX ops_op_id ON ops (op_id);

CREATE TABLE payments (
  op_id uuid PRIMARY KEY,
  desk_id uuid NOT NULL REFERENCES desks(id),
  point_id uuid NOT NULL REFERENCES points(id),
  cashier_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('billing', 'thirdparty', 'service')),
  number text NOT NULL,
  account_number text,
  provider_code text,
  provider_account text,
  accepted_at timestamptz NOT NULL,
  shift_number integer NOT NULL,
  method text NOT NULL CHECK (method IN ('cash', 'card')),
  tendered_kop bigint,
  total_kop bigint NOT NULL CHECK (total_kop > 0),
  commission_kop bigint NOT NULL CHECK (commission_kop >= 0),
  principal_kop bigint NOT NULL CHECK (principal_kop >= 0),
  fiscal jsonb NOT NULL,
  state text NOT NULL DEFAULT 'accepted' CHECK (state IN ('accepted', 'reversed')),
  reversed_by uuid,
  review boolean NOT NULL DEFAULT false,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_accepted_at ON payments (accepted_at);
CREATE INDEX payments_desk ON payments (desk_id, accepted_at);
CREATE INDEX payments_account ON payments (account_number, accepted_at) WHERE account_number IS NOT NULL;

CREATE TABLE payment_lines (
  op_id uuid NOT NULL REFERENCES payments(op_id),
  line_no integer NOT NULL,
  code text NOT NULL,
  name text,
  supplier_id uuid,
  period text,
  quantity integer NOT NULL DEFAULT 1,
  amount_kop bigint NOT NULL CHECK (amount_kop >= 0),
  penalty_kop bigint NOT NULL DEFAULT 0 CHECK (penalty_kop >= 0),
  commission_kop bigint NOT NULL DEFAULT 0 CHECK (commission_kop >= 0),
  PRIMARY KEY (op_id, line_no)
);
CREATE INDEX payment_lines_supplier ON payment_lines (supplier_id);

CREATE TABLE readings (
  op_id uuid PRIMARY KEY,
  desk_id uuid NOT NULL REFERENCES desks(id),
  cashier_id uuid NOT NULL,
  account_number text NOT NULL,
  meter_id uuid NOT NULL,
  meter_serial text NOT NULL,
  service_code text NOT NULL,
  value text NOT NULL,
  value_milli bigint NOT NULL,
  read_at date NOT NULL,
  period text NOT NULL,
  submitted_at timestamptz NOT NULL,
  findings jsonb NOT NULL,
  confirmed jsonb NOT NULL,
  review boolean NOT NULL DEFAULT false
);
CREATE INDEX readings_meter ON readings (meter_id, read_at);

CREATE TABLE reversals (
  op_id uuid PRIMARY KEY,
  original_op_id uuid NOT NULL,
  desk_id uuid NOT NULL REFERENCES desks(id),
  cashier_id uuid NOT NULL,
  approved_by uuid,
  reason text NOT NULL,
  amount_kop bigint NOT NULL CHECK (amount_kop > 0),
  method text NOT NULL,
  shift_number integer NOT NULL,
  fiscal jsonb NOT NULL,
  reversed_at timestamptz NOT NULL,
  review boolean NOT NULL DEFAULT false
);
CREATE INDEX reversals_original ON reversals (original_op_id);

CREATE TABLE cash_ops (
  op_id uuid PRIMARY KEY,
  desk_id uuid NOT NULL REFERENCES desks(id),
  type text NOT NULL CHECK (type IN ('in', 'out', 'counted')),
  amount_kop bigint NOT NULL,
  expected_kop bigint,
  difference_kop bigint,
  denominations jsonb,
  comment text,
  cashier_id uuid NOT NULL,
  shift_number integer NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX cash_ops_desk ON cash_ops (desk_id, at);

CREATE TABLE shifts (
  desk_id uuid NOT NULL REFERENCES desks(id),
  shift_number integer NOT NULL,
  opened_at timestamptz,
  closed_at timestamptz,
  opened_by uuid,
  closed_by uuid,
  opening_float_kop bigint,
  register_totals jsonb,
  journal_totals jsonb,
  unsent_at_close integer,
  PRIMARY KEY (desk_id, shift_number)
);

CREATE TABLE forwardings (
  op_id uuid PRIMARY KEY REFERENCES payments(op_id),
  desk_id uuid NOT NULL REFERENCES desks(id),
  provider_code text NOT NULL,
  account text NOT NULL,
  amount_kop bigint NOT NULL,
  txn_id text NOT NULL,
  txn_date text NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'sent', 'confirmed', 'failed')),
  prv_txn text,
  result_code integer,
  comment text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL DEFAULT 0,
  UNIQUE (provider_code, txn_id)
);
CREATE INDEX forwardings_due ON forwardings (next_attempt_at) WHERE state IN ('queued', 'sent');
CREATE INDEX forwardings_desk_version ON forwardings (desk_id, version);

CREATE TABLE review_items (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  code text NOT NULL,
  message text NOT NULL,
  op_id uuid,
  desk_id uuid,
  context jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution text,
  note text,
  resolved_by uuid,
  resolved_at timestamptz
);
CREATE INDEX review_open ON review_items (created_at) WHERE status = 'open';
CREATE UNIQUE INDEX review_once ON review_items (op_id, code) WHERE op_id IS NOT NULL;

CREATE TABLE audit_log (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL,
  actor_id text,
  action text NOT NULL,
  target text,
  details jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);

CREATE TABLE billing_feed (
  position bigint PRIMARY KEY,
  op_id uuid NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('payment', 'reversal', 'reading')),
  at timestamptz NOT NULL,
  payload jsonb NOT NULL
);

CREATE TABLE feed_acks (
  consumer text PRIMARY KEY,
  position bigint NOT NULL,
  acked_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE imports (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('accounts', 'charges', 'meters')),
  file_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('validating', 'applying', 'done', 'failed')),
  total_rows integer NOT NULL DEFAULT 0,
  processed_rows integer NOT NULL DEFAULT 0,
  changed_rows integer NOT NULL DEFAULT 0,
  error_count integer NOT NULL DEFAULT 0,
  errors jsonb NOT NULL DEFAULT '[]',
  created_by text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
`,
  );
}
