/** Commerce: catalogue, stock, orders and the after-sales actions on them. */
export * from './actions.ts';
export * from './catalog.ts';
export * from './money.ts';
export * from './orders.ts';
export * from './policy.ts';
export { exchangeOptions } from './options.ts';
export { renderReturnLabel, code128Png, LABEL_WIDTH_PT, LABEL_HEIGHT_PT } from './label.ts';
export { seedDemoCommerce, type DemoCommerce } from './seed.ts';
export { commerceRoutes, type CommerceDeps } from './routes.ts';
