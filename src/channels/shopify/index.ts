/** The Shopify channel: signed webhooks into orders, shipments and refunds; the store's connection. */
export { shopifyHmac, verifyShopifyHmac } from './hmac.ts';
export { getShopifyIntegration, setShopifyIntegration, shopifySecrets, ROTATION_GRACE_MS } from './integrations.ts';
export { mapShopifyFulfillment, mapShopifyOrder, mapShopifyRefund, shopifyOrdersOf } from './map.ts';
export { handleShopifyDelivery, SHOPIFY_TOPICS, type ShopifyTopic } from './webhooks.ts';
export { shopifyIntegrationRoutes, shopifyWebhookRoutes, type ShopifyDeps } from './routes.ts';
