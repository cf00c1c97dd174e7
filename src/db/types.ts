/**
 * Table types for Kysely, kept by hand beside the migrations (one interface per table,
 * columns in snake_case as in SQL). A module reads and writes only its own tables.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;
/** numeric: read as string (exact), written as number or string. */
type Numeric = ColumnType<string, number | string, number | string>;

export type Role = 'admin' | 'manager' | 'trainer' | 'agent';
export type TicketStatus = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';
export type Priority = 'urgent' | 'high' | 'normal' | 'low';
export type AuthorType = 'customer' | 'agent' | 'bot' | 'system';
export type CertificationLevel = 'trainee' | 'L1' | 'L2' | 'L3' | 'expert';

export interface WeeklyHours {
  /** 0 = Monday … 6 = Sunday; each day a list of [start, end] "HH:MM" in the store's zone. */
  [day: string]: Array<[string, string]>;
}

export interface AgentLanguage {
  code: string;
  proficiency: 'native' | 'fluent' | 'working' | 'basic';
}

export interface StoresTable {
  id: string;
  name: string;
  platform: Generated<string>;
  market: Generated<string>;
  timezone: Generated<string>;
  webhook_secret: string | null;
  support_email: string | null;
  business_hours: Json<WeeklyHours>;
  holiday_country: string | null;
  extra_holidays: ColumnType<string[], string | undefined, string>;
  is_default: Generated<boolean>;
  created_at: TimestampDefault;
}

export interface TeamsTable {
  id: string;
  name: string;
  created_at: TimestampDefault;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  role: Role;
  team_id: string | null;
  languages: ColumnType<AgentLanguage[], string | undefined, string>;
  skills: ColumnType<string[], string | undefined, string>;
  timezone: Generated<string>;
  certification_level: ColumnType<CertificationLevel, CertificationLevel | undefined, CertificationLevel>;
  max_load: Generated<number>;
  ui_language: Generated<string>;
  active: Generated<boolean>;
  created_at: TimestampDefault;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  expires_at: Timestamp;
  created_at: TimestampDefault;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  last_used_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  reset_at: Timestamp;
}

export interface CustomersTable {
  id: string;
  store_id: string;
  email: string;
  name: string | null;
  language: string | null;
  country: string | null;
  timezone: string | null;
  vip: Generated<boolean>;
  created_at: TimestampDefault;
}

export interface OrdersTable {
  id: string;
  store_id: string;
  customer_id: string | null;
  number: string;
  external_id: string | null;
  currency: Generated<string>;
  total: Numeric;
  status: Generated<string>;
  placed_at: TimestampDefault;
  created_at: TimestampDefault;
  // commerce (migration 0006)
  fulfillment_status: ColumnType<FulfillmentStatus, FulfillmentStatus | undefined, FulfillmentStatus>;
  financial_status: ColumnType<FinancialStatus, FinancialStatus | undefined, FinancialStatus>;
  shipping_address: Json<PostalAddress | null> | null;
  cancelled_at: Timestamp | null;
  cancel_reason: string | null;
}

export interface SlaPoliciesTable {
  store_id: string;
  priority: Priority;
  first_response_minutes: number;
  next_response_minutes: number;
  resolution_minutes: number;
}

export interface TicketsTable {
  id: string;
  number: Generated<number>;
  store_id: string;
  subject: string;
  preview: Generated<string>;
  status: TicketStatus;
  priority: Priority;
  category: Generated<string>;
  language: string | null;
  sentiment: string | null;
  angry: Generated<boolean>;
  priority_reasons: ColumnType<Array<{ code: string; en: string; zh: string }>, string | undefined, string>;
  channel: Generated<string>;
  customer_id: string;
  order_id: string | null;
  assignee_id: string | null;
  team_id: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  first_response_due_at: Timestamp | null;
  next_response_due_at: Timestamp | null;
  resolution_due_at: Timestamp | null;
  resolution_remaining_minutes: number | null;
  sla_due_at: Timestamp | null;
  sla_warned_at: Timestamp | null;
  first_response_breached: Generated<boolean>;
  next_response_breached: Generated<boolean>;
  resolution_breached: Generated<boolean>;
  first_responded_at: Timestamp | null;
  last_customer_message_at: Timestamp | null;
  last_agent_message_at: Timestamp | null;
  solved_at: Timestamp | null;
  closed_at: Timestamp | null;
  search: ColumnType<string | null, unknown, unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MessagesTable {
  id: string;
  ticket_id: string;
  author_type: AuthorType;
  author_id: string | null;
  internal: Generated<boolean>;
  body: string;
  language: string | null;
  channel: Generated<string>;
  external_id: string | null;
  created_at: Timestamp;
}

export interface MessageTranslationsTable {
  message_id: string;
  kind: 'translation' | 'original';
  language: string;
  text: string;
  provider: string;
  created_by: string | null;
  created_at: Generated<Timestamp>;
}

export interface TicketEventsTable {
  id: Generated<number>;
  ticket_id: string;
  actor_type: string;
  actor_id: string | null;
  type: string;
  field: string | null;
  before: ColumnType<unknown, string | null | undefined, string | null>;
  after: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Timestamp;
}

/** A playbook step ticked or unticked by hand, or skipped with a reason (migration 0007). */
export interface TicketPlaybookStepsTable {
  ticket_id: string;
  step_id: string;
  category: string;
  done: boolean;
  how: 'manual' | 'auto';
  done_by: string | null;
  done_at: Timestamp | null;
  skipped_reason: string | null;
  updated_at: Timestamp;
}

export interface JobsTable {
  id: Generated<number>;
  type: string;
  payload: ColumnType<unknown, string | undefined, string>;
  status: ColumnType<'queued' | 'running' | 'done' | 'dead', 'queued' | undefined, 'queued' | 'running' | 'done' | 'dead'>;
  run_at: TimestampDefault;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  unique_key: string | null;
  created_at: TimestampDefault;
  finished_at: Timestamp | null;
}

// ---- knowledge (migration 0003) ----
export interface KnowledgeTemplatesTable {
  id: string;
  key: string;
  category: string;
  markets: ColumnType<string[], string[] | undefined, string[]>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  priority: Generated<number>;
  source: ColumnType<'content' | 'user', 'content' | 'user' | undefined, 'content' | 'user'>;
  archived: Generated<boolean>;
  content_hash: string | null;
  edited_at: Timestamp | null;
  created_by: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface KnowledgeTemplateVariantsTable {
  template_id: string;
  language: string;
  /** Copies of the template's key, category, markets, priority and archived flag. */
  key: string;
  category: string;
  markets: ColumnType<string[], string[] | undefined, string[]>;
  priority: ColumnType<number, number | undefined, number>;
  archived: ColumnType<boolean, boolean | undefined, boolean>;
  title: string;
  body: string;
  /** tsvector; written through SQL (to_tsvector), never read as a value. */
  search: ColumnType<string, unknown, unknown>;
  title_search: ColumnType<string, unknown, unknown>;
  content_hash: string | null;
  edited_at: Timestamp | null;
  edited_by: string | null;
  updated_at: TimestampDefault;
}

export interface KnowledgeArticlesTable {
  id: string;
  key: string;
  audience: 'internal' | 'public';
  categories: ColumnType<string[], string[] | undefined, string[]>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  source: ColumnType<'content' | 'user', 'content' | 'user' | undefined, 'content' | 'user'>;
  archived: Generated<boolean>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface KnowledgeArticleVariantsTable {
  article_id: string;
  language: string;
  title: string;
  summary: Generated<string>;
  body: string;
  search: ColumnType<string, unknown, unknown>;
  content_hash: string | null;
  edited_at: Timestamp | null;
  updated_at: TimestampDefault;
}

export interface EmailMessagesTable {
  id: string;
  direction: 'in' | 'out';
  message_id: string;
  kind: 'message' | 'auto_reply' | 'bounce' | 'loop' | 'rejected';
  status: ColumnType<EmailStatus, EmailStatus | undefined, EmailStatus>;
  store_id: string | null;
  ticket_id: string | null;
  message_ref: string | null;
  mail_from: string | null;
  from_address: string | null;
  from_name: string | null;
  to_addresses: ColumnType<string[], string | undefined, string>;
  recipient_count: Generated<number>;
  subject: Generated<string>;
  in_reply_to: string | null;
  refs: ColumnType<string[], string | undefined, string>;
  reason: string | null;
  text_body: string | null;
  html_body: string | null;
  raw: Uint8Array | null;
  size: Generated<number>;
  duplicates: Generated<number>;
  attempts: Generated<number>;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: TimestampDefault;
}
export type EmailStatus = 'received' | 'ticketed' | 'queued' | 'sending' | 'sent' | 'failed' | 'bounced';

export interface EmailAttachmentsTable {
  id: string;
  email_id: string;
  filename: string;
  content_type: string;
  detected_type: string | null;
  size: number;
  sha256: string;
  content_id: string | null;
  inline: Generated<boolean>;
  blocked_reason: string | null;
  content: Uint8Array | null;
  created_at: TimestampDefault;
}

// ---- IMAP mailboxes (migration 0012) ----
export type MailboxTls = 'tls' | 'starttls' | 'none';
export type MailboxStatus = 'new' | 'connecting' | 'ok' | 'error' | 'disabled';
/** bigint: read as string or number depending on the driver; normalise with Number(). */
type BigIntColumn = ColumnType<string | number, number | string | undefined, number | string>;

export interface EmailMailboxesTable {
  id: string;
  store_id: string | null;
  name: string;
  host: string;
  port: number;
  tls: ColumnType<MailboxTls, MailboxTls | undefined, MailboxTls>;
  tls_verify: Generated<boolean>;
  username: string;
  password_enc: string;
  folder: Generated<string>;
  after_fetch: ColumnType<'seen' | 'move', 'seen' | 'move' | undefined, 'seen' | 'move'>;
  move_to: string | null;
  use_idle: Generated<boolean>;
  poll_seconds: Generated<number>;
  enabled: Generated<boolean>;
  uid_validity: string | null;
  last_uid: BigIntColumn;
  status: ColumnType<MailboxStatus, MailboxStatus | undefined, MailboxStatus>;
  last_error: string | null;
  last_error_at: Timestamp | null;
  failures: Generated<number>;
  last_connected_at: Timestamp | null;
  last_polled_at: Timestamp | null;
  messages_fetched: Generated<number>;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

// ---- commerce (migration 0006) ----
export type FulfillmentStatus = 'unfulfilled' | 'partially_fulfilled' | 'fulfilled';
export type FinancialStatus = 'pending' | 'paid' | 'partially_refunded' | 'refunded' | 'voided';
export type ShipmentStatus = 'label_created' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception' | 'lost' | 'returned';
export type ReturnStatus = 'requested' | 'label_created' | 'in_transit' | 'received' | 'refunded' | 'cancelled';
export type OrderActionType = 'return' | 'exchange' | 'refund' | 'reship' | 'claim' | 'cancel' | 'address' | 'return_status';

export interface PostalAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  region?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  phone?: string;
}

/** An order item and how many of it a return / reship covers. */
export interface ItemQuantity {
  orderItemId: string;
  quantity: number;
}

export interface StoreReturnPoliciesTable {
  store_id: string;
  policy: Json<Record<string, unknown>>;
  updated_at: TimestampDefault;
}

export interface ProductsTable {
  id: string;
  store_id: string;
  title: string;
  description: Generated<string>;
  created_at: TimestampDefault;
}

export interface VariantsTable {
  id: string;
  product_id: string;
  store_id: string;
  sku: string;
  title: Generated<string>;
  options: Json<Record<string, string>>;
  price: Numeric;
  currency: Generated<string>;
  created_at: TimestampDefault;
}

export interface WarehousesTable {
  id: string;
  store_id: string;
  code: string;
  name: string;
  country: string;
  address: Json<PostalAddress>;
  created_at: TimestampDefault;
}

export interface InventoryTable {
  variant_id: string;
  warehouse_id: string;
  on_hand: Generated<number>;
  reserved: Generated<number>;
  updated_at: TimestampDefault;
}

export interface OrderItemsTable {
  id: string;
  order_id: string;
  variant_id: string | null;
  warehouse_id: string | null;
  sku: string;
  title: string;
  quantity: number;
  unit_price: Numeric;
  created_at: TimestampDefault;
}

export interface PaymentsTable {
  id: string;
  order_id: string;
  method: string;
  provider_ref: string | null;
  amount: Numeric;
  captured: ColumnType<string, number | string | undefined, number | string>;
  currency: string;
  created_at: TimestampDefault;
}

export interface ShipmentsTable {
  id: string;
  order_id: string;
  kind: ColumnType<'outbound' | 'reship' | 'return', 'outbound' | 'reship' | 'return' | undefined, 'outbound' | 'reship' | 'return'>;
  carrier: string;
  tracking_number: string | null;
  /** The carrier's tracking page (migration 0016): an absolute http(s) URL or null. */
  tracking_url: ColumnType<string | null, string | null | undefined, string | null>;
  status: ColumnType<ShipmentStatus, ShipmentStatus | undefined, ShipmentStatus>;
  warehouse_id: string | null;
  shipped_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface TrackingEventsTable {
  id: Generated<number>;
  shipment_id: string;
  at: Timestamp;
  status: string;
  location: string | null;
  description: string;
}

export interface OrderActionsTable {
  id: string;
  order_id: string;
  ticket_id: string | null;
  type: OrderActionType;
  actor_type: string;
  actor_id: string | null;
  idempotency_key: string;
  request: Json<unknown>;
  result: Json<unknown>;
  created_at: Timestamp;
}

export interface ReturnsTable {
  id: string;
  order_id: string;
  rma: string;
  reason: 'faulty' | 'damaged' | 'wrong_item' | 'change_of_mind';
  items: Json<ItemQuantity[]>;
  market: string;
  who_pays_shipping: 'seller' | 'buyer';
  carrier: string;
  tracking_number: string;
  label_pdf: Uint8Array | null;
  status: ColumnType<ReturnStatus, ReturnStatus | undefined, ReturnStatus>;
  warehouse_id: string | null;
  note: string | null;
  received_at: Timestamp | null;
  refunded_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RefundsTable {
  id: string;
  order_id: string;
  payment_id: string;
  return_id: string | null;
  amount: Numeric;
  currency: string;
  method: string;
  reason: string;
  status: ColumnType<'pending' | 'succeeded' | 'failed', 'pending' | 'succeeded' | 'failed' | undefined, 'pending' | 'succeeded' | 'failed'>;
  created_at: Timestamp;
}

export interface ExchangesTable {
  id: string;
  order_id: string;
  order_item_id: string;
  from_variant_id: string | null;
  to_variant_id: string;
  warehouse_id: string;
  quantity: number;
  price_difference: Numeric;
  currency: string;
  reason: string;
  status: ColumnType<'reserved' | 'shipped' | 'completed' | 'cancelled', 'reserved' | undefined, 'reserved' | 'shipped' | 'completed' | 'cancelled'>;
  created_at: Timestamp;
}

export interface ReshipsTable {
  id: string;
  order_id: string;
  items: Json<ItemQuantity[]>;
  warehouse_id: string;
  reason: string;
  status: ColumnType<'pending' | 'shipped' | 'cancelled', 'pending' | undefined, 'pending' | 'shipped' | 'cancelled'>;
  created_at: Timestamp;
}

export interface CarrierClaimsTable {
  id: string;
  order_id: string;
  shipment_id: string;
  kind: 'lost' | 'damaged';
  carrier: string;
  reference: string;
  amount: Numeric;
  currency: string;
  description: Generated<string>;
  status: ColumnType<'filed' | 'approved' | 'rejected' | 'paid', 'filed' | undefined, 'filed' | 'approved' | 'rejected' | 'paid'>;
  created_at: Timestamp;
}

// ---- routing (migration 0005) ----
export type PresenceState = 'auto' | 'on' | 'off';

export interface RoutingRulesTable {
  /** 'global' or the store's id. */
  scope: string;
  store_id: string | null;
  settings: Json<Record<string, unknown>>;
  updated_by: string | null;
  updated_at: TimestampDefault;
}

export interface AgentShiftsTable {
  user_id: string;
  /** 0 = Monday … 6 = Sunday, in the agent's time zone. */
  weekday: number;
  /** "HH:MM"; an end at or before the start runs past midnight. */
  start: string;
  end: string;
}

export interface AgentPresenceTable {
  user_id: string;
  state: ColumnType<PresenceState, PresenceState | undefined, PresenceState>;
  on_shift_seen: Generated<boolean>;
  last_assigned_at: Timestamp | null;
  updated_at: TimestampDefault;
}

// ---- shopify webhooks and imports (migration 0009) ----
export type WebhookDeliveryStatus = 'received' | 'processed' | 'unchanged' | 'stale' | 'ignored' | 'waiting' | 'failed';
export type ImportJobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface StoreIntegrationsTable {
  store_id: string;
  provider: 'shopify';
  shop_domain: string | null;
  webhook_secret: string;
  previous_secret: string | null;
  previous_valid_until: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface WebhookDeliveriesTable {
  id: string;
  store_id: string;
  provider: string;
  webhook_id: string;
  topic: string;
  status: WebhookDeliveryStatus;
  resource_id: string | null;
  order_external_id: string | null;
  order_id: string | null;
  payload: Json<unknown> | null;
  error: string | null;
  attempts: Generated<number>;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

export interface ExternalRefsTable {
  store_id: string;
  source: string;
  kind: 'order' | 'shipment' | 'refund';
  external_id: string;
  local_id: string;
  order_id: string;
  source_updated_at: Timestamp | null;
  content_hash: string;
  updated_at: Timestamp;
}

export interface ImportJobsTable {
  id: string;
  store_id: string;
  format: 'csv' | 'shopify';
  filename: string | null;
  status: ImportJobStatus;
  input: Uint8Array | null;
  total: Generated<number>;
  processed: Generated<number>;
  imported: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  failed: Generated<number>;
  error_count: Generated<number>;
  error: string | null;
  created_by: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface ImportErrorsTable {
  id: Generated<number>;
  job_id: string;
  line: number;
  reason: string;
}

// ---- chat widget (migration 0010) ----
export type ChatMode = 'live' | 'offline';

export interface ChatWidgetSettingsTable {
  store_id: string;
  enabled: Generated<boolean>;
  /** Exact origins allowed to embed the widget; empty = any. */
  allowed_origins: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: TimestampDefault;
}

export interface ChatVisitorsTable {
  id: string;
  store_id: string;
  /** SHA-256 of the visitor token (the token itself is only ever in the visitor's browser). */
  token_hash: string;
  name: string | null;
  email: string | null;
  language: string | null;
  created_at: TimestampDefault;
  last_seen_at: TimestampDefault;
}

export interface ChatConversationsTable {
  id: string;
  store_id: string;
  visitor_id: string;
  ticket_id: string;
  mode: ChatMode;
  language: string | null;
  page_url: string | null;
  created_at: TimestampDefault;
}

// ---- bot and surveys (migration 0008) ----
export interface BotSettingsTable {
  store_id: string;
  enabled: Generated<boolean>;
  faq_threshold: Generated<number>;
  min_triage_confidence: Generated<number>;
  reopen_window_days: Generated<number>;
  updated_at: TimestampDefault;
}

export interface BotDecisionsTable {
  id: string;
  ticket_id: string;
  store_id: string;
  message_id: string;
  outcome: 'answered' | 'handed_off';
  kind: 'tracking' | 'faq' | null;
  reasons: ColumnType<string[], string | undefined, string>;
  confidence: number | null;
  language: string | null;
  category: string;
  reply_message_id: string | null;
  note_message_id: string | null;
  created_at: Timestamp;
}

export interface SurveySettingsTable {
  store_id: string;
  enabled: Generated<boolean>;
  delay_minutes: Generated<number>;
  nps_every: Generated<number>;
  expires_days: Generated<number>;
  sequence: Generated<number>;
  updated_at: TimestampDefault;
}

export type SurveyKind = 'csat' | 'csat_nps';
export type SurveyStatus = 'created' | 'sent' | 'not_sent' | 'answered';

export interface SurveysTable {
  id: string;
  token: string;
  ticket_id: string;
  store_id: string;
  customer_id: string;
  language: string;
  kind: SurveyKind;
  sequence: number;
  status: ColumnType<SurveyStatus, SurveyStatus | undefined, SurveyStatus>;
  email_to: string | null;
  last_error: string | null;
  csat_score: number | null;
  nps_score: number | null;
  comment: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  expires_at: Timestamp;
  answered_at: Timestamp | null;
}

export interface DB {
  stores: StoresTable;
  teams: TeamsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  message_translations: MessageTranslationsTable;
  rate_limits: RateLimitsTable;
  customers: CustomersTable;
  orders: OrdersTable;
  sla_policies: SlaPoliciesTable;
  tickets: TicketsTable;
  messages: MessagesTable;
  ticket_events: TicketEventsTable;
  ticket_playbook_steps: TicketPlaybookStepsTable;
  jobs: JobsTable;
  knowledge_templates: KnowledgeTemplatesTable;
  knowledge_template_variants: KnowledgeTemplateVariantsTable;
  knowledge_articles: KnowledgeArticlesTable;
  knowledge_article_variants: KnowledgeArticleVariantsTable;
  email_messages: EmailMessagesTable;
  email_attachments: EmailAttachmentsTable;
  email_mailboxes: EmailMailboxesTable;
  store_return_policies: StoreReturnPoliciesTable;
  products: ProductsTable;
  variants: VariantsTable;
  warehouses: WarehousesTable;
  inventory: InventoryTable;
  order_items: OrderItemsTable;
  payments: PaymentsTable;
  shipments: ShipmentsTable;
  tracking_events: TrackingEventsTable;
  order_actions: OrderActionsTable;
  returns: ReturnsTable;
  refunds: RefundsTable;
  exchanges: ExchangesTable;
  reships: ReshipsTable;
  carrier_claims: CarrierClaimsTable;
  routing_rules: RoutingRulesTable;
  agent_shifts: AgentShiftsTable;
  agent_presence: AgentPresenceTable;
  // shopify + imports (migration 0009)
  store_integrations: StoreIntegrationsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  external_refs: ExternalRefsTable;
  import_jobs: ImportJobsTable;
  import_errors: ImportErrorsTable;
  // chat widget (migration 0010)
  chat_widget_settings: ChatWidgetSettingsTable;
  chat_visitors: ChatVisitorsTable;
  chat_conversations: ChatConversationsTable;
  // bot and surveys (migration 0008)
  bot_settings: BotSettingsTable;
  bot_decisions: BotDecisionsTable;
  survey_settings: SurveySettingsTable;
  surveys: SurveysTable;
  // drills (migration 0011)
  training_scenarios: TrainingScenariosTable;
  drill_assignments: DrillAssignmentsTable;
  drill_sessions: DrillSessionsTable;
  drill_turns: DrillTurnsTable;
  // trainers' edits of market rules (migration 0015)
  market_overrides: MarketOverridesTable;
  market_override_history: MarketOverrideHistoryTable;
}

// market rule overrides (src/markets/overrides.ts, migration 0015)
export interface MarketOverridesTable {
  code: string;
  /** Edited fields by dotted path ("consumer.withdrawal", "businessHours"…), in the file's shape. */
  rules: Json<Record<string, unknown>>;
  version: number;
  updated_by: string | null;
  updated_by_name: string | null;
  updated_at: Timestamp;
}
export interface MarketOverrideHistoryTable {
  id: string;
  code: string;
  version: number;
  action: 'edit' | 'revert';
  changed: string[];
  before: Json<Record<string, unknown>>;
  after: Json<Record<string, unknown>>;
  actor_id: string | null;
  actor_name: string | null;
  created_at: Timestamp;
}

// drills (src/training, migration 0011)
export interface TrainingScenariosTable {
  id: string;
  source: ColumnType<'ticket' | 'user', 'ticket' | 'user' | undefined, 'ticket' | 'user'>;
  ticket_id: string | null;
  created_by: string | null;
  category: string;
  market: string;
  language: string;
  difficulty: string;
  title_en: string;
  title_zh: string;
  yaml: string;
  created_at: TimestampDefault;
}
export type DrillAssignmentStatus = 'assigned' | 'started' | 'passed' | 'failed';
export interface DrillAssignmentsTable {
  id: string;
  scenario_id: string;
  variant: Generated<string>;
  user_id: string;
  assigned_by: string;
  note: string | null;
  due_at: Timestamp | null;
  status: ColumnType<DrillAssignmentStatus, DrillAssignmentStatus | undefined, DrillAssignmentStatus>;
  best_score: Numeric | null;
  created_at: TimestampDefault;
  completed_at: Timestamp | null;
}
export interface DrillSessionsTable {
  id: string;
  user_id: string;
  scenario_id: string;
  variant: Generated<string>;
  seed: number;
  hints: Generated<boolean>;
  assignment_id: string | null;
  status: ColumnType<'active' | 'ended', 'active' | 'ended' | undefined, 'active' | 'ended'>;
  customer_status: Generated<string>;
  turns: Generated<number>;
  score: Numeric | null;
  passed: boolean | null;
  report: Json<unknown> | null;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  updated_at: TimestampDefault;
}
export interface DrillTurnsTable {
  session_id: string;
  seq: number;
  text: Generated<string>;
  tools: Json<unknown>;
  customer_text: string | null;
  customer_gloss: string | null;
  outcome: Json<unknown>;
  created_at: Timestamp;
}

export type Store = Selectable<StoresTable>;
export type User = Selectable<UsersTable>;
export type Ticket = Selectable<TicketsTable>;
export type Message = Selectable<MessagesTable>;
export type Customer = Selectable<CustomersTable>;
export type NewTicket = Insertable<TicketsTable>;
export type TicketUpdate = Updateable<TicketsTable>;
