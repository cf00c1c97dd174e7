/**
 * Shapes of the tau2 retail database and tasks, as read from `db.json` and `tasks.json`.
 * Only the fields the tools and the replay rely on are typed strictly; a record may carry
 * more (the tools copy it as it is).
 */

export interface Tau2Address {
  address1: string;
  address2: string;
  city: string;
  state: string;
  country: string;
  zip: string;
}

export interface Tau2Variant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
  price: number;
}

export interface Tau2Product {
  name: string;
  product_id: string;
  variants: Record<string, Tau2Variant>;
}

export interface Tau2PaymentMethod {
  source: 'credit_card' | 'paypal' | 'gift_card' | string;
  id: string;
  balance?: number;
  brand?: string;
  last_four?: string;
}

export interface Tau2User {
  user_id: string;
  name: { first_name: string; last_name: string };
  address: Tau2Address;
  email: string;
  payment_methods: Record<string, Tau2PaymentMethod>;
  orders: string[];
}

export interface Tau2OrderItem {
  name: string;
  product_id: string;
  item_id: string;
  price: number;
  options: Record<string, string>;
}

export interface Tau2Payment {
  transaction_type: 'payment' | 'refund';
  amount: number;
  payment_method_id: string;
}

export interface Tau2Order {
  order_id: string;
  user_id: string;
  address: Tau2Address;
  items: Tau2OrderItem[];
  status: string;
  fulfillments: { tracking_id: string[]; item_ids: string[] }[];
  payment_history: Tau2Payment[];
  cancel_reason?: string;
  return_items?: string[];
  return_payment_method_id?: string;
  exchange_items?: string[];
  exchange_new_items?: string[];
  exchange_payment_method_id?: string;
  exchange_price_difference?: number;
}

export interface Tau2Db {
  products: Record<string, Tau2Product>;
  users: Record<string, Tau2User>;
  orders: Record<string, Tau2Order>;
}

export type Tau2Collection = keyof Tau2Db;

/** One tool call: what a gold action, a replay file or a trainee's tool button produces. */
export interface Tau2Action {
  name: string;
  arguments: Record<string, unknown>;
}

export type Tau2Split = 'train' | 'test' | 'all';

/** A drill category (DESIGN.md vocabulary) guessed from the task's gold writes. */
export type Tau2Category =
  | 'exchange_request'
  | 'return_request'
  | 'cancellation'
  | 'address_change'
  | 'payment_issue'
  | 'order_status'
  | 'product_question'
  | 'other';

/** One imported task: what a drill needs to play it and to check its outcome. */
export interface Tau2Task {
  id: string;
  /** `train` or `test` per split_tasks.json (`base` = all); null when the task is in neither. */
  split: 'train' | 'test' | null;
  category: Tau2Category;
  /** What the customer opens with. */
  reasonForCall: string;
  /** What the customer knows and tells when asked. */
  knownInfo: string;
  /** What the customer does not know. */
  unknownInfo: string;
  /** How the customer behaves (free text, for an LLM-played customer). */
  taskInstructions: string;
  persona: string | null;
  /** The user the gold actions serve (from the gold lookups or the orders they touch); null if none. */
  userId: string | null;
  goldActions: Tau2Action[];
  /** True when the gold actions start with a user lookup (find_user_id_by_*). */
  goldAuthenticates: boolean;
  /** Facts the agent must tell (replay cannot check them: they live in the conversation). */
  communicateInfo: string[];
  /** Natural-language assertions over the conversation (idem). */
  nlAssertions: string[];
}

export interface Tau2Dataset {
  dir: string;
  /** The initial database, deep-frozen: sandboxes never change it. */
  db: Readonly<Tau2Db>;
  tasks: Tau2Task[];
  splits: { train: string[]; test: string[] };
  /** policy.md, as text (shown to trainees). */
  policy: string;
}
