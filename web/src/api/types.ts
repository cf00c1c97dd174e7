// Shapes of the crossdesk HTTP API (JSON, camelCase) as the web app uses them.

export type Role = 'admin' | 'manager' | 'trainer' | 'agent';
export type TicketStatus = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';
export type Priority = 'urgent' | 'high' | 'normal' | 'low';
export type AuthorType = 'customer' | 'agent' | 'bot' | 'system';

export const STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'normal', 'low'];
export const CATEGORIES = [
  'order_status',
  'lost_parcel',
  'damaged_item',
  'wrong_item',
  'defective_item',
  'return_request',
  'exchange_request',
  'refund',
  'cancellation',
  'payment_issue',
  'customs_duties',
  'address_change',
  'product_question',
  'other',
] as const;
export const LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'tr', 'ru', 'ar', 'ja', 'ko', 'zh'] as const;

/** Allowed status transitions (the server enforces the same table). */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

export interface UserLanguage {
  code: string;
  proficiency: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  teamId: string | null;
  languages: UserLanguage[];
  timezone: string;
  uiLanguage?: string | null;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
}

export interface UserSummary {
  id: string;
  name: string;
  email: string;
  role: Role;
  teamId: string | null;
  languages: UserLanguage[];
  timezone: string;
  active: boolean;
}

export interface Store {
  id: string;
  name: string;
  platform: string;
  market: string;
  timezone: string;
  isDefault: boolean;
}

export interface Sla {
  firstResponseDueAt: string | null;
  nextResponseDueAt: string | null;
  resolutionDueAt: string | null;
  dueAt: string | null;
  paused: boolean;
  warning: boolean;
  breached: boolean;
}

export interface Customer {
  id: string;
  email: string;
  name: string | null;
  language: string | null;
  country: string | null;
  timezone: string | null;
}

export interface PriorityReason {
  code?: string;
  en?: string;
  zh?: string;
  weight?: number;
}

export interface Ticket {
  id: string;
  number: number;
  storeId: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  category: string | null;
  language: string | null;
  sentiment: string | null;
  angry: boolean;
  /** Why the priority: plain text, or a reason with English and Chinese wording. */
  priorityReasons: (string | PriorityReason)[];
  channel: string;
  customer: Customer;
  orderId: string | null;
  assigneeId: string | null;
  assignee: { id: string; name: string } | null;
  teamId: string | null;
  tags: string[];
  sla: Sla;
  firstRespondedAt: string | null;
  solvedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  preview: string;
}

export interface Message {
  id: string;
  authorType: AuthorType;
  authorId: string | null;
  authorName: string | null;
  internal: boolean;
  body: string;
  language: string | null;
  createdAt: string;
  /** E-mail messages: attachments and whether the original HTML can be shown. */
  ticketId?: string;
  attachments?: EmailAttachment[];
  hasHtml?: boolean;
}

export interface EmailAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  inline: boolean;
  blocked: boolean;
  blockedReason: string | null;
}

export interface TicketEvent {
  id: string;
  type: string;
  field: string | null;
  before: unknown;
  after: unknown;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  createdAt: string;
}

export interface TicketDetail extends Ticket {
  messages: Message[];
  events: TicketEvent[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Counts {
  all_open: number;
  mine: number;
  unassigned: number;
  new: number;
  open: number;
  pending: number;
  on_hold: number;
  solved: number;
  closed: number;
  breaching: number;
}

export interface TicketPatch {
  status?: TicketStatus;
  assigneeId?: string | null;
  priority?: Priority;
  tags?: string[];
  category?: string;
}

export interface BulkSet {
  status?: TicketStatus;
  assigneeId?: string | null;
  priority?: Priority;
  addTags?: string[];
  removeTags?: string[];
}

export interface BulkResult {
  updated: number;
  failed: { id: string; code: string; message: string }[];
}

export type LiveEventType = 'ticket.created' | 'ticket.updated' | 'message.created';

export interface LiveEvent {
  type: LiveEventType | string;
  ticketId: string;
  [extra: string]: unknown;
}
