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

export interface DB {
  stores: StoresTable;
  teams: TeamsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  rate_limits: RateLimitsTable;
  customers: CustomersTable;
  orders: OrdersTable;
  sla_policies: SlaPoliciesTable;
  tickets: TicketsTable;
  messages: MessagesTable;
  ticket_events: TicketEventsTable;
  jobs: JobsTable;
}

export type Store = Selectable<StoresTable>;
export type User = Selectable<UsersTable>;
export type Ticket = Selectable<TicketsTable>;
export type Message = Selectable<MessagesTable>;
export type Customer = Selectable<CustomersTable>;
export type NewTicket = Insertable<TicketsTable>;
export type TicketUpdate = Updateable<TicketsTable>;
