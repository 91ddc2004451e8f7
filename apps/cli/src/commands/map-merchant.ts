import { parseArgs } from 'node:util';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, waitForRedis } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';
import { checkCategoryLeaf, createStoreServices } from '@shoptok/sync';
import { commandConfig } from '../env.js';
import type { CommandIO } from './enqueue.js';

export const MAP_MERCHANT_USAGE = `shoptok map pin --store S --product ID --category LEAF     list the product in this TikTok leaf, always
shoptok map unpin --store S --product ID                      hand the product back to the rules and the mapper
shoptok map default --store S --category LEAF --attribute NAME --value V   (or --remove)
                                                              a value for every product of the category that has none of its own
shoptok map show --store S [--product ID]                     which category each product got, who chose it (pin, rule N, ai, offline) and why

Pins and defaults are stored in Redis per store (not in the stores file) and checked against the
shop's live TikTok category tree when set. The next product run uses them:
pnpm enqueue product --store S --product ID
`;

export const MAP_MERCHANT_SUBCOMMANDS = new Set(['pin', 'unpin', 'default', 'show']);

const productGid = (id: string) => (id.startsWith('gid://') ? id : `gid://shopify/Product/${id}`);

/** `shoptok map pin|unpin|default|show`: the merchant's own say over categories and attributes. */
export async function runMapMerchantCommand(argv: string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        store: { type: 'string' },
        product: { type: 'string' },
        category: { type: 'string' },
        attribute: { type: 'string' },
        value: { type: 'string' },
        remove: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${MAP_MERCHANT_USAGE}`);
    return 64;
  }
  if (values.help) {
    io.stdout.write(MAP_MERCHANT_USAGE);
    return 0;
  }
  const need = (names: (keyof typeof values)[]) => names.filter((n) => values[n] === undefined || values[n] === '');
  const missing =
    sub === 'pin'
      ? need(['store', 'product', 'category'])
      : sub === 'unpin'
        ? need(['store', 'product'])
        : sub === 'default'
          ? [...need(['store', 'category', 'attribute']), ...(values.remove || values.value ? [] : ['value'])]
          : need(['store']);
  if (missing.length > 0) {
    io.stderr.write(`shoptok map ${sub}: missing ${missing.map((m) => `--${m}`).join(', ')}\n\n${MAP_MERCHANT_USAGE}`);
    return 64;
  }
  if (values.product && !/^(gid:\/\/shopify\/Product\/)?\d+$/.test(values.product)) {
    io.stderr.write(`--product must be a Shopify product id (123 or gid://shopify/Product/123), not "${values.product}"\n`);
    return 64;
  }
  if (values.category && !/^\d{1,20}$/.test(values.category)) {
    io.stderr.write(`--category must be a TikTok category id (digits), not "${values.category}"\n`);
    return 64;
  }
  const config = commandConfig(io);
  if (!config) return 78;
  const store = config.stores.find((s) => s.id === values.store);
  if (!store) {
    io.stderr.write(`no store "${values.store}"; the config has: ${config.stores.map((s) => s.id).join(', ')}\n`);
    return 64;
  }
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const redis = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:map' });
  redis.on('error', () => undefined);
  const queues = new QueueFactory({ connection: redis, prefix: config.queuePrefix, retry: config.retry });
  try {
    await waitForRedis(redis, 5_000);
    const state = new StateStore(redis, config.queuePrefix, store.id);
    if (sub === 'show') {
      const [decisions, pins, defaults] = await Promise.all([
        state.categoryDecisions(),
        state.categoryPins(),
        state.attributeDefaults(),
      ]);
      const wanted = values.product ? productGid(values.product) : undefined;
      for (const [id, d] of decisions) {
        if (wanted && id !== wanted) continue;
        const who = d.source === 'rule' ? `rule ${d.ruleIndex}` : d.source;
        const attrs = Object.entries(d.attributeSources).map(([name, from]) => `${name} from ${from}`);
        out(
          `${id}  ${d.categoryId} ${d.categoryPath.join(' > ')}  [${who}] ${d.reason}${attrs.length ? `; ${attrs.join('; ')}` : ''}`,
        );
      }
      if (wanted && !decisions.has(wanted)) out(`${wanted}: no category decision yet (the next product run records one)`);
      for (const [id, pin] of pins) if (!wanted || id === wanted) out(`pin ${id} -> ${pin.categoryId}`);
      if (!wanted) for (const d of defaults) out(`default category ${d.categoryId}: ${d.attributeName} = ${d.value}`);
      return 0;
    }
    if (sub === 'unpin') {
      const id = productGid(values.product as string);
      out((await state.unpinCategory(id)) ? `unpinned ${id} in store ${store.id}` : `${id} was not pinned in store ${store.id}`);
      return 0;
    }
    // pin and default name a category: it must be a leaf of the shop's live tree.
    const logger = createLogger({ level: 'warn', console: io.stderr as NodeJS.WriteStream, pretty: false });
    const svc = await createStoreServices({ config, store, redis, queues, logger });
    try {
      const categoryId = values.category as string;
      const checked = await checkCategoryLeaf(svc, categoryId);
      if ('problem' in checked) {
        io.stderr.write(`${checked.problem}\n`);
        return 65;
      }
      if (sub === 'pin') {
        const id = productGid(values.product as string);
        await state.pinCategory(id, categoryId);
        out(
          `pinned ${id} to TikTok category ${categoryId} "${checked.row.local_name}" in store ${store.id}; the next product run lists it there (pnpm enqueue product --store ${store.id} --product ${id})`,
        );
        return 0;
      }
      const attributes = (await checked.attributes()).filter((a) => a.type === 'PRODUCT_PROPERTY');
      const name = (values.attribute as string).trim();
      const attr = attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
      if (!attr) {
        io.stderr.write(
          `store ${store.id}: TikTok category ${categoryId} has no product attribute "${name}"; it has: ${attributes.map((a) => a.name).join(', ')}\n`,
        );
        return 65;
      }
      if (values.remove) {
        await state.setAttributeDefault(categoryId, attr.name, undefined);
        out(`removed the default of "${attr.name}" for category ${categoryId} in store ${store.id}`);
        return 0;
      }
      const value = (values.value as string).trim();
      if (!attr.is_customizable && !attr.values.some((v) => v.name.toLowerCase() === value.toLowerCase())) {
        io.stderr.write(
          `store ${store.id}: TikTok takes only its listed values for "${attr.name}" in category ${categoryId}: ${attr.values.map((v) => v.name).join(', ')}\n`,
        );
        return 65;
      }
      await state.setAttributeDefault(categoryId, attr.name, value);
      out(
        `"${attr.name}" = "${value}" for every product of category ${categoryId} in store ${store.id} that has no value of its own`,
      );
      return 0;
    } finally {
      svc.close();
    }
  } finally {
    await queues.close();
    redis.disconnect();
  }
}
