import { route } from './route.js';

/** Authorization: the shops the access token may act for. */
export const authorizationRoutes = [
  route('GET', '/authorization/202309/shops', false, 'none', (ctx) => ({
    shops: [
      {
        id: ctx.shop.shopId,
        name: ctx.shop.name,
        region: ctx.shop.region,
        seller_type: 'LOCAL',
        cipher: ctx.shop.cipher,
        code: `GB${ctx.shop.shopId.slice(-8)}`,
      },
    ],
  })),
];
