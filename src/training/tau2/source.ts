/**
 * The tau2 retail tasks as a drill scenario source: ids `tau2:<task id>`, summaries for the
 * drill list, what a trainee sees before playing, the tool buttons. The dataset is read once
 * from ../shared/datasets/tau2-retail (or CROSSDESK_TAU2_DIR, or a folder given by the caller);
 * when it is absent the source is simply empty.
 */
import fs from 'node:fs';
import { sharedDataset } from '../../core/paths.ts';
import { loadTau2 } from './load.ts';
import { TAU2_TOOL_SPECS } from './tools.ts';
import type { Tau2Category, Tau2Dataset, Tau2Task } from './types.ts';

export const TAU2_PREFIX = 'tau2:';
export const isTau2ScenarioId = (id: string) => id.startsWith(TAU2_PREFIX);

const loaded = new Map<string, Tau2Dataset>();

/** The folder of the dataset: the given one, CROSSDESK_TAU2_DIR, or ../shared/datasets/tau2-retail; null when absent. */
export function tau2Dir(dir?: string): string | null {
  return dir ?? process.env.CROSSDESK_TAU2_DIR ?? sharedDataset('tau2-retail');
}

/** The dataset (loaded once per folder), or null when the folder does not exist. Throws Tau2DataError when it is malformed. */
export function tau2Dataset(dir?: string): Tau2Dataset | null {
  const d = tau2Dir(dir);
  if (!d || !fs.existsSync(d)) return null;
  let ds = loaded.get(d);
  if (!ds) {
    ds = loadTau2(d);
    loaded.set(d, ds);
  }
  return ds;
}

/** The task of a scenario id `tau2:<id>` (or a bare task id), or null. */
export function tau2Task(dataset: Tau2Dataset, id: string): Tau2Task | null {
  const bare = isTau2ScenarioId(id) ? id.slice(TAU2_PREFIX.length) : id;
  return dataset.tasks.find((t) => t.id === bare) ?? null;
}

const CATEGORY_NAMES: Record<Tau2Category, { en: string; zh: string }> = {
  exchange_request: { en: 'exchange', zh: '换货' },
  return_request: { en: 'return', zh: '退货' },
  cancellation: { en: 'cancellation', zh: '取消订单' },
  address_change: { en: 'address change', zh: '修改地址' },
  payment_issue: { en: 'payment method', zh: '更换支付方式' },
  order_status: { en: 'order question', zh: '订单查询' },
  product_question: { en: 'product question', zh: '商品咨询' },
  other: { en: 'other request', zh: '其他诉求' },
};

const WRITES = new Set(TAU2_TOOL_SPECS.filter((s) => s.kind === 'write').map((s) => s.name as string));

/** easy: at most one write; medium: two; hard: three or more, a transfer, or a request the policy refuses. */
export function tau2Difficulty(task: Tau2Task): 'easy' | 'medium' | 'hard' {
  const writes = task.goldActions.filter((a) => WRITES.has(a.name)).length;
  if (writes >= 3 || task.goldActions.some((a) => a.name === 'transfer_to_human_agents') || writes === 0) return 'hard';
  return writes === 2 ? 'medium' : 'easy';
}

export interface Tau2ScenarioSummary {
  id: string;
  title: { en: string; zh: string };
  market: string;
  language: string;
  category: string;
  difficulty: 'easy' | 'medium' | 'hard';
  tags: string[];
  source: 'tau2';
  variants: string[];
}

export function tau2Summary(task: Tau2Task): Tau2ScenarioSummary {
  const c = CATEGORY_NAMES[task.category];
  return {
    id: `${TAU2_PREFIX}${task.id}`,
    title: { en: `tau2 retail task ${task.id}: ${c.en}`, zh: `tau2 零售任务 ${task.id}：${c.zh}` },
    market: 'US',
    language: 'en',
    category: task.category,
    difficulty: tau2Difficulty(task),
    tags: ['tau2', ...(task.split ? [task.split] : [])],
    source: 'tau2',
    variants: ['base'],
  };
}

/** Argument names of a tool for the tool form: `name[]` for a list of strings. */
function argNames(spec: (typeof TAU2_TOOL_SPECS)[number]): string[] {
  return Object.entries(spec.parameters.properties).map(([k, p]) => (p.type === 'array' ? `${k}[]` : k));
}

const TOOL_ZH: Record<string, string> = {
  find_user_id_by_email: '按邮箱查找用户（验证身份）',
  find_user_id_by_name_zip: '按姓名和邮编查找用户（验证身份）',
  get_user_details: '查看用户资料',
  get_order_details: '查看订单详情',
  get_product_details: '查看商品及其所有款式',
  get_item_details: '按款式 ID 查看款式',
  list_all_product_types: '列出所有商品',
  calculate: '计算器',
  cancel_pending_order: '取消待发货订单（需客户明确同意）',
  modify_pending_order_address: '修改待发货订单的地址（需客户明确同意）',
  modify_pending_order_items: '更换待发货订单的商品款式（需客户明确同意）',
  modify_pending_order_payment: '更换待发货订单的支付方式（需客户明确同意）',
  modify_user_address: '修改用户默认地址（需客户明确同意）',
  return_delivered_order_items: '已送达订单退货（需客户明确同意）',
  exchange_delivered_order_items: '已送达订单换货（需客户明确同意）',
  transfer_to_human_agents: '转人工（结束对话）',
};

/** The tool buttons of a tau2 drill: `{name, en, zh, args}` as the drill API shows tools (en: the tool's own name, as in TOOLS.md). */
export const TAU2_TOOL_INFOS = TAU2_TOOL_SPECS.map((s) => ({ name: s.name, en: s.name, zh: TOOL_ZH[s.name] ?? s.name, args: argNames(s) }));

/** What a trainee sees before and during a tau2 drill (no gold actions, no hidden instructions). */
export function tau2PublicScenario(task: Tau2Task, opening: { text: string; gloss_zh: string }) {
  return {
    ...tau2Summary(task),
    persona: { name: 'Customer', culture: 'US online shopper', writes: 'plain English', formality: null },
    opening,
    marketRules: [
      { rule: 'authenticate', en: 'Authenticate the user first: email, or first name + last name + zip.', zh: '先验证用户身份：邮箱，或名 + 姓 + 邮编。' },
      { rule: 'confirm', en: 'Before each write, list what will change and get the customer’s explicit "yes".', zh: '每次修改前说明将要更改的内容，并取得客户明确的“yes”。' },
      { rule: 'one_user', en: 'One user per conversation; no changes after items were modified; one exchange per order.', zh: '每次对话只服务一位用户；修改商品后不能再改或取消该订单；每个订单只能换货一次。' },
      { rule: 'transfer', en: 'Transfer to a human only when the request cannot be handled with the tools.', zh: '只有工具无法处理的请求才转人工。' },
    ],
    cultureHints: {
      en: 'tau2 retail: the customer writes in English; be clear and exact (order ids start with #W).',
      zh: 'tau2 零售：客户使用英文；表达要清楚准确（订单号以 #W 开头）。',
    },
    tools: TAU2_TOOL_INFOS,
  };
}
