import type { MappingResult, ProductMapper } from '@shoptok/ai-mapper';
import {
  type InventoryAvailability,
  ShopifyAuthError,
  ShopifyConfigError,
  type ShopifyProduct,
  type ShopifyVariant,
} from '@shoptok/shopify';
import { tiktokCategoryRecommender } from './recommend.js';
import type { Attention, CategoryDecision, CategoryPin, ListingRecord, SkuLink } from '@shoptok/state';
import {
  adoptableListing,
  type AttributeDefaults,
  buildListingDraft,
  computeInventoryDiff,
  listingContentHash,
  matchCategoryRule,
  merchantAttributeValues,
  variantMetafieldDisagreement,
  whereToSetAttribute,
  planListingChange,
  preflightListing,
  skuConflicts,
  type ListingDraft,
  type ListingPlan,
  type ProductSelection,
  type ShopifyListingVariant,
  type ShopifyVariantStock,
  type TikTokCategoryRules,
} from '@shoptok/sync-core';
import { TikTokAuthError, TikTokResponseShapeError, type TikTokAttribute, type TikTokCategory } from '@shoptok/tiktok';
import type { StoreServices } from '../services.js';
import { messageOf, type RunReport } from '../summary.js';
import { toListingProduct, toMapperInput } from './adapt.js';
import { productAttributesFor, toPreflightAttributes } from './attributes.js';
import { type FetchImage, ImageFetchError, MAX_MAIN_IMAGES, uploadMainImages } from './images.js';
import {
  DEACTIVATED,
  FIRST_POLL_DELAY_MS,
  LISTING_QUOTA_CODE,
  listingPausedUntil,
  pauseListing,
  previousListingState,
  priceHashOf,
  scheduleStatusPoll,
} from './listing-state.js';
import { categoriesById, leafProblem, type ShopProfile, ShopSetupError } from './shop.js';

/** A listing a run would deactivate, and why. */
export interface RemovalTarget {
  productId: string;
  record: ListingRecord;
  why: string;
}

/** One reason a product is held back (stored as "needs attention"). */
export interface HoldReason {
  code: string;
  message: string;
}

export interface ListingRunDeps {
  mapper: ProductMapper;
  fetchImage: FetchImage;
  now: () => number;
  profile: () => Promise<ShopProfile>;
  /** The shop's default TikTok warehouse (undefined when the rules map warehouses). */
  warehouse: () => Promise<string | undefined>;
  /** The shop's category rows by id; default: read through the TikTok client once per run. */
  categories?: () => Promise<ReadonlyMap<string, TikTokCategory>>;
}

/**
 * What a run over ONE product reads of the store's state: that product's listing, attention
 * and decision, and the SKU links of its SKUs and inventory items, instead of the whole store's.
 */
export interface ListingRunScope {
  productId: string;
  sellerSkus: readonly string[];
  inventoryItemIds: readonly string[];
}

const PRODUCT_GONE_CODES = new Set([12052032, 12052260, 12019150]);

// Statuses in which a listing can still sell (or will, once review passes): these get deactivated.
const MAY_SELL = new Set(['ACTIVATE', 'PENDING', 'ADOPTED']);

/** Errors that stop the whole job: rate limits and outages (retried), and settings a person must fix. */
export function stopsTheRun(err: unknown): boolean {
  if (err instanceof ImageFetchError) return false; // one image's CDN hiccup is that product's problem
  if (
    err instanceof TikTokAuthError ||
    err instanceof ShopifyAuthError ||
    err instanceof ShopifyConfigError ||
    err instanceof ShopSetupError
  )
    return true;
  return (err as { retryable?: boolean } | null)?.retryable !== false;
}

function codeOf(err: unknown): string | number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

/** True when TikTok says the product does not exist (any more). */
export function isProductGone(err: unknown): boolean {
  const code = codeOf(err);
  return typeof code === 'number' && PRODUCT_GONE_CODES.has(code);
}

/**
 * One pass of the listing pipeline over some products of one store: map, pre-flight, images,
 * then the smallest TikTok change per product. Shared state (listings, SKU links, attention,
 * quota pause) is read once per pass and kept in step as the pass writes.
 */
export class ListingRun {
  private listings = new Map<string, ListingRecord>();
  private linkBySku = new Map<string, SkuLink>();
  /** The same links by Shopify product (seller SKU -> link): a product's links without a scan. */
  private linksByProduct = new Map<string, Map<string, SkuLink>>();
  private attention = new Map<string, Attention>();
  /** Selected variants per seller SKU over the whole catalogue (duplicates are held back). */
  private skuUsers = new Map<string, { productId: string; variantId: string; title: string }[]>();
  private pausedUntil: number | undefined;
  /** Stock read ahead for the run, by inventory item (`readStockAhead`). */
  private stockRead = new Map<string, InventoryAvailability[]>();
  /** Whether a create succeeded in this run, and the first create while none has. */
  private createdOnce = false;
  private createProbe: Promise<void> | undefined;
  private categoryRows: Promise<ReadonlyMap<string, TikTokCategory>> | undefined;
  private rulesChecked: Promise<void> | undefined;
  private pins = new Map<string, CategoryPin>();
  private decisions = new Map<string, CategoryDecision>();
  /** `rules.listing.attributes`, with the defaults stored by `shoptok map default` merged over them. */
  private attributeDefaults: (AttributeDefaults & { from: string })[] = [];
  private shop!: ShopProfile;

  private constructor(
    private readonly svc: StoreServices,
    private readonly deps: ListingRunDeps,
    readonly report: RunReport,
    readonly dryRun: boolean,
    private readonly jobId: string | undefined,
  ) {}

  static async start(
    svc: StoreServices,
    deps: ListingRunDeps,
    report: RunReport,
    dryRun: boolean,
    jobId?: string,
    scope?: ListingRunScope,
  ): Promise<ListingRun> {
    const run = new ListingRun(svc, deps, report, dryRun, jobId);
    run.shop = await deps.profile();
    const [listings, links, attention, paused, pins, storedDefaults, decisions] = await Promise.all([
      scope ? oneEntry(scope.productId, svc.state.listing(scope.productId)) : svc.state.allListings(),
      scope ? scopedLinks(svc, scope) : svc.state.allSkuLinks(),
      scope ? oneEntry(scope.productId, svc.state.needsAttentionOf(scope.productId)) : svc.state.needsAttention(),
      listingPausedUntil(svc, deps.now()),
      svc.state.categoryPins(),
      svc.state.attributeDefaults(),
      scope ? oneEntry(scope.productId, svc.state.categoryDecision(scope.productId)) : svc.state.categoryDecisions(),
    ]);
    run.pins = pins;
    run.decisions = decisions;
    // Stored defaults (set from the CLI or the dashboard) come first: they are the newer word.
    run.attributeDefaults = [
      ...storedDefaults.map((d) => ({
        category: d.categoryId,
        values: { [d.attributeName]: d.value },
        from: `the store default set with shoptok map default (category ${d.categoryId})`,
      })),
      ...svc.rules.listing.attributes.map((a, i) => ({ ...a, from: `rules.listing.attributes[${i}]` })),
    ];
    run.listings = listings;
    for (const link of links) run.setLink(link);
    run.attention = attention;
    run.pausedUntil = paused;
    if (paused)
      report.note(
        `creating listings is paused until ${new Date(paused).toISOString()} (TikTok's daily listing quota, code ${LISTING_QUOTA_CODE}); edits and price updates go on`,
      );
    return run;
  }

  listing(productId: string): ListingRecord | undefined {
    return this.listings.get(productId);
  }

  allListings(): ReadonlyMap<string, ListingRecord> {
    return this.listings;
  }

  /** Remembers which selected variants use which SKU, over the whole catalogue. */
  indexSkus(selection: ProductSelection): void {
    this.skuUsers.clear();
    for (const { product, variants } of selection.selected) {
      for (const v of variants) {
        const sku = (v.sku ?? '').trim();
        const users = this.skuUsers.get(sku) ?? [];
        users.push({ productId: product.id, variantId: v.id, title: product.title });
        this.skuUsers.set(sku, users);
      }
    }
  }

  private linksOf(productId: string): SkuLink[] {
    return [...(this.linksByProduct.get(productId)?.values() ?? [])];
  }

  /** Records a link in both indexes (a SKU that moved to another product leaves the old one's). */
  private setLink(link: SkuLink): void {
    this.unsetLink(link.sellerSku);
    this.linkBySku.set(link.sellerSku, link);
    const own = this.linksByProduct.get(link.shopifyProductId) ?? new Map<string, SkuLink>();
    own.set(link.sellerSku, link);
    this.linksByProduct.set(link.shopifyProductId, own);
  }

  private unsetLink(sellerSku: string): void {
    const old = this.linkBySku.get(sellerSku);
    if (!old) return;
    this.linkBySku.delete(sellerSku);
    const own = this.linksByProduct.get(old.shopifyProductId);
    own?.delete(sellerSku);
    if (own?.size === 0) this.linksByProduct.delete(old.shopifyProductId);
  }

  private categories(): Promise<ReadonlyMap<string, TikTokCategory>> {
    this.categoryRows ??= this.deps.categories ? this.deps.categories() : categoriesById(this.svc, this.shop);
    return this.categoryRows;
  }

  /**
   * Every category a store rule names must be a leaf of this shop's tree: a wrong id is a
   * configuration mistake that stops the run (naming store, rule and id), not a product's problem.
   */
  private checkCategoryRules(): Promise<void> {
    this.rulesChecked ??= (async () => {
      const { categories, attributes } = this.svc.rules.listing;
      if (categories.length === 0 && attributes.length === 0) return;
      const rows = await this.categories();
      const named = [
        ...categories.map((r, i) => ({ where: `rules.listing.categories[${i}]`, id: r.category })),
        ...attributes.map((a, i) => ({ where: `rules.listing.attributes[${i}]`, id: a.category })),
      ];
      for (const { where, id } of named) {
        const problem = leafProblem(rows, id);
        if (problem) throw new ShopSetupError(`store ${this.svc.storeId}: ${where} names TikTok category ${id}, ${problem}`);
      }
    })().catch((err: unknown) => {
      this.rulesChecked = undefined;
      throw err;
    });
    return this.rulesChecked;
  }

  /**
   * The category the merchant decided for a product: its pin, else the first matching store
   * rule. Undefined: the mapper decides. A pin on a category the shop's tree no longer has as a
   * leaf holds the product back.
   */
  private async merchantCategory(
    product: ShopifyProduct,
  ): Promise<
    { source: 'pin' | 'rule'; categoryId: string; ruleIndex?: number; reason: string } | { hold: HoldReason } | undefined
  > {
    const pin = this.pins.get(product.id);
    if (pin) {
      const problem = leafProblem(await this.categories(), pin.categoryId);
      if (problem)
        return {
          hold: {
            code: 'category-pin-invalid',
            message: `store ${this.svc.storeId}: product ${product.id} is pinned to TikTok category ${pin.categoryId}, ${problem}. Pin it to a leaf (pnpm shoptok map pin --store ${this.svc.storeId} --product ${product.id} --category <leaf id>) or unpin it.`,
          },
        };
      return {
        source: 'pin',
        categoryId: pin.categoryId,
        reason: `pinned by the merchant on ${new Date(pin.at).toISOString()}`,
      };
    }
    await this.checkCategoryRules();
    const match = matchCategoryRule(product, this.svc.rules.listing.categories);
    return match ? { source: 'rule', categoryId: match.categoryId, ruleIndex: match.ruleIndex, reason: match.reason } : undefined;
  }

  /** Stores who chose the product's category (written only when it changed; never in a dry run). */
  private async recordDecision(productId: string, decision: CategoryDecision): Promise<void> {
    const previous = this.decisions.get(productId);
    const same = previous && JSON.stringify({ ...previous, at: 0 }) === JSON.stringify({ ...decision, at: 0 });
    if (this.dryRun || same) return;
    await this.svc.state.saveCategoryDecision(productId, decision);
    this.decisions.set(productId, decision);
  }

  private defaultWarehouse(): Promise<string | undefined> {
    return this.deps.warehouse();
  }

  /** Runs one product's step; its own failures are recorded and never stop the pass. */
  async guarded(productId: string, item: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      if (stopsTheRun(err)) throw err;
      const message = messageOf(err);
      const code = codeOf(err);
      this.report.fail(item, message, code);
      this.svc.logger.warn({ productId, code, reason: message }, 'product not synced');
      // A CDN hiccup, or an answer we could not read (TikTok may have done it), is tried again
      // next run; anything else waits for a person.
      if (!this.dryRun && !(err instanceof ImageFetchError && err.retryable) && !(err instanceof TikTokResponseShapeError)) {
        await this.svc.state.markNeedsAttention(
          productId,
          [{ code: String(code ?? (err as Error).name ?? 'error'), message }],
          this.deps.now(),
        );
      }
    }
  }

  private async holdBack(product: ShopifyProduct, item: string, reasons: HoldReason[]): Promise<void> {
    const text = reasons.map((r) => r.message).join(' ');
    this.report.fail(item, `held back: ${text}`, reasons[0]?.code ?? 'preflight');
    this.svc.logger.info({ productId: product.id, reasons: reasons.map((r) => r.code) }, 'product held back');
    if (this.dryRun) {
      this.report.note(`${item}: pre-flight FAILED, nothing would be sent: ${text}`);
      return;
    }
    await this.svc.state.markNeedsAttention(product.id, reasons, this.deps.now());
    this.attention.set(product.id, { reasons, at: this.deps.now() });
  }

  /**
   * Reads the stock of many inventory items at once (one bulk export from 500 items on) for the
   * products this run will create: a few points instead of one stock query per product.
   */
  async readStockAhead(inventoryItemIds: readonly string[]): Promise<void> {
    const levels = await this.svc.shopify.getAvailableInventory(inventoryItemIds);
    for (const id of inventoryItemIds) this.stockRead.set(id, []);
    for (const level of levels) this.stockRead.get(level.inventoryItemId)?.push(level);
  }

  /** Current Shopify stock of the variants, through the store's inventory rules, per TikTok warehouse. */
  private async stockFor(
    product: ShopifyProduct,
    variants: readonly ShopifyVariant[],
  ): Promise<{ inventory: Record<string, { warehouse_id: string; quantity: number }[]>; problems: HoldReason[] }> {
    const items = variants.map((v) => v.inventoryItemId);
    const levels = items.every((id) => this.stockRead.has(id))
      ? items.flatMap((id) => this.stockRead.get(id) ?? [])
      : await this.svc.shopify.getAvailableInventory(items);
    const stock: ShopifyVariantStock[] = variants.map((v) => ({
      variantId: v.id,
      productId: product.id,
      productStatus: product.status,
      sku: v.sku,
      tracked: v.tracked,
      levels: levels
        .filter((l) => l.inventoryItemId === v.inventoryItemId)
        .map((l) => ({ locationId: l.locationId, available: l.available })),
    }));
    // Same rules as the inventory worker: a first push of every variant to a stand-in SKU id.
    const links = variants.map((v) => ({
      tiktokProductId: product.id,
      tiktokSkuId: v.id,
      sellerSku: (v.sku ?? '').trim(),
      shopifyVariantId: v.id,
    }));
    const diff = computeInventoryDiff(
      { variants: stock, links, lastPushed: {}, defaultWarehouseId: await this.defaultWarehouse() },
      this.svc.rules,
    );
    const inventory: Record<string, { warehouse_id: string; quantity: number }[]> = {};
    for (const update of diff.updates) for (const sku of update.body.skus) inventory[sku.id] = sku.inventory;
    const problems = diff.skipped
      .filter((s) => s.reason === 'untracked' || s.reason === 'no-warehouse')
      .map((s) => ({ code: 'inventory', message: s.message }));
    return { inventory, problems };
  }

  /** Brings one selected product's TikTok listing in step (or holds it back with reasons). */
  async syncProduct(product: ShopifyProduct, selected: readonly ShopifyListingVariant[]): Promise<void> {
    const item = `Shopify product ${product.id} "${product.title}"`;
    const record = this.listings.get(product.id);
    this.report.summary.seen++;
    if (record?.status === 'DELETED') {
      this.report.skip('deleted-on-tiktok');
      return;
    }
    const reasons: HoldReason[] = skuConflicts(product.id, selected, this.linkBySku, this.skuUsers);

    // Category: the merchant's pin or rule first (no AI call), else the mapper. Then attributes,
    // title and description within TikTok's limits.
    const decided = await this.merchantCategory(product);
    if (decided && 'hold' in decided) return this.holdBack(product, item, [...reasons, decided.hold]);
    let mapping: MappingResult;
    if (decided) {
      const row = (await this.categories()).get(decided.categoryId);
      const name = row?.local_name ?? decided.categoryId;
      const leaf = this.deps.mapper.index.leaf(decided.categoryId) ?? { id: decided.categoryId, name, path: [name] };
      mapping = this.deps.mapper.draftFor(toMapperInput(product), leaf, decided.reason);
    } else {
      // TikTok's Recommend Category is one more vote (a call on first sync only: cached with the mapping).
      const recommend = tiktokCategoryRecommender(this.svc.tiktok, this.shop.categoryVersion);
      mapping = await this.deps.mapper.map(toMapperInput(product), { storeId: this.svc.storeId, recommend });
    }
    const category = (await this.categories()).get(mapping.draft.categoryId);
    if (!category)
      reasons.push({
        code: 'category-unknown',
        message: `The mapper chose category ${mapping.draft.categoryId}, which this TikTok shop's category tree does not have.`,
      });
    let live: TikTokAttribute[] = [];
    let categoryRules: TikTokCategoryRules = {};
    if (category?.is_leaf) {
      const opts = { categoryVersion: this.shop.categoryVersion };
      [live, categoryRules] = await Promise.all([
        this.svc.tiktok.getCategoryAttributes(category.id, opts),
        this.svc.tiktok.getCategoryRules(category.id, opts),
      ]);
    }
    const mapped = { ...product, title: mapping.draft.title, descriptionHtml: mapping.draft.descriptionHtml };
    const variantsById = new Map(product.variants.map((v) => [v.id, v]));
    const chosen = selected.map((v) => variantsById.get(v.id)).filter((v): v is ShopifyVariant => v !== undefined);
    const listable = { ...mapped, variants: chosen };
    // The merchant's own values (product then variant metafields, options, name:value tags, store
    // defaults) before the mapper's. Only the variants this listing sends have a say.
    const merchantValues = merchantAttributeValues(
      listable,
      live
        .filter((a) => a.type === 'PRODUCT_PROPERTY')
        .map((a) => ({ name: a.name, multiple: a.is_multiple_selection === true })),
      mapping.draft.categoryId,
      this.attributeDefaults,
    );
    const attributes = productAttributesFor(product, mapping.draft.attributes, live, merchantValues);
    const ctx = {
      region: this.shop.region,
      currency: this.shop.currency,
      categoryId: mapping.draft.categoryId,
      categoryVersion: this.shop.categoryVersion,
      productAttributes: attributes.productAttributes,
    };
    await this.recordDecision(product.id, {
      categoryId: mapping.draft.categoryId,
      categoryPath: mapping.draft.categoryPath,
      source: decided?.source ?? (mapping.mapper === 'fallback' ? 'offline' : 'ai'),
      ...(decided?.ruleIndex === undefined ? {} : { ruleIndex: decided.ruleIndex }),
      reason: decided?.reason ?? mapping.reason,
      attributeSources: attributes.sources,
      at: this.deps.now(),
    });
    const attrs = toPreflightAttributes(live);
    const liveById = new Map(live.map((a) => [a.id, a]));
    const preflight = (draft: ListingDraft, withStock: boolean): HoldReason[] => {
      const verdict = preflightListing(draft, categoryRules, attrs, {
        region: this.shop.region,
        ...(category ? { category } : {}),
      });
      // Without stock (steady state) the inventory check is meaningless; stock is checked when sent.
      return verdict.ok
        ? []
        : verdict.reasons
            .filter((r) => withStock || r.code !== 'inventory')
            .map((r) => {
              // A missing attribute says where the merchant sets it.
              const attr = r.code === 'attribute-required' ? liveById.get(r.field.replace('product_attributes.', '')) : undefined;
              const disagree = attr ? variantMetafieldDisagreement(listable, attr.name) : undefined;
              const where = attr
                ? ` ${disagree ? `${disagree} ` : ''}${whereToSetAttribute(this.svc.storeId, mapping.draft.categoryId, attr.name)}`
                : '';
              return { code: r.code, message: `${r.message}${where}` };
            });
    };
    const imageUrls = product.images.map((i) => i.url).slice(0, MAX_MAIN_IMAGES);
    if (product.images.length > MAX_MAIN_IMAGES)
      this.report.note(
        `${item}: ${product.images.length} images; TikTok takes ${MAX_MAIN_IMAGES}, the first ${MAX_MAIN_IMAGES} are listed`,
      );

    // Pre-flight before any upload: a product that cannot pass costs no TikTok write.
    const placeholders = Object.fromEntries(imageUrls.map((u) => [u, `pending:${u}`]));
    const draft0 = buildListingDraft(
      toListingProduct(
        listable,
        imageUrls.map((url) => ({ url })),
      ),
      selected,
      { ...ctx, imageUris: placeholders, inventory: {} },
      this.svc.rules,
    ).draft;
    reasons.push(...preflight(draft0, false));
    // Known without reading stock: a variant whose stock Shopify does not count cannot be stocked.
    if (this.svc.rules.inventory.untrackedQuantity === null) {
      for (const v of chosen.filter((x) => !x.tracked))
        reasons.push({
          code: 'inventory',
          message: `Shopify does not track stock for SKU "${(v.sku ?? '').trim()}"; turn on tracking, or set rules.inventory.untrackedQuantity.`,
        });
    }
    if (reasons.length > 0) return this.holdBack(product, item, reasons);

    // Images: uploaded once each, in order; sizes from TikTok's answer feed the size check.
    const uploaded = await uploadMainImages(this.svc, imageUrls, this.deps.fetchImage, this.dryRun);
    for (const url of uploaded.pending)
      this.report.wouldSend('POST /product/202309/images/upload', url, { use_case: 'MAIN_IMAGE', source: url });
    const build = (inventory: Record<string, { warehouse_id: string; quantity: number }[]>) =>
      buildListingDraft(
        toListingProduct(listable, uploaded.images),
        selected,
        { ...ctx, imageUris: uploaded.uris, inventory },
        this.svc.rules,
      ).draft;
    const draft1 = build({});
    const imageReasons = preflight(draft1, false);
    if (imageReasons.length > 0) return this.holdBack(product, item, imageReasons);

    const adopted = record ? undefined : this.adoptable(product, draft1);
    if (adopted && 'reasons' in adopted) return this.holdBack(product, item, adopted.reasons);
    if (adopted && this.dryRun) this.svc.preview?.add('adopt', product.id);
    const previous = previousListingState(record ?? adopted?.record, this.linksOf(product.id), draft1);
    let draft = draft1;
    let plan = planListingChange(previous, draft1, this.svc.rules);

    if (plan.kind === 'create' || plan.kind === 'edit') {
      // Only now read stock: creates need it, and an edit carries it for new SKUs.
      const { inventory, problems } = await this.stockFor(product, chosen);
      draft = build(inventory);
      const full = [...problems, ...preflight(draft, true)];
      if (full.length > 0) return this.holdBack(product, item, full);
      plan = planListingChange(previous, draft, this.svc.rules);
    }
    await this.apply(product, item, draft, plan, record ?? adopted?.record);
  }

  /**
   * A product with no listing record whose SKUs are already linked to ONE TikTok product
   * (listed before shoptok, found by reconcile) is adopted, not created twice: its content is
   * taken as it is on TikTok (no edit, no new review) and only prices are brought in step.
   */
  private adoptable(
    product: ShopifyProduct,
    draft: ListingDraft,
  ): { record: ListingRecord } | { reasons: HoldReason[] } | undefined {
    const adopted = adoptableListing(
      product.id,
      draft.skus.map((s) => s.sellerSku),
      this.linkBySku,
    );
    if (!adopted || 'reasons' in adopted) return adopted;
    this.report.note(
      `Shopify product ${product.id}: adopted the existing TikTok listing ${adopted.tiktokProductId} (content left as it is on TikTok until the product changes in Shopify)`,
    );
    return {
      record: {
        tiktokProductId: adopted.tiktokProductId,
        contentHash: listingContentHash(draft),
        priceHash: '',
        status: 'ADOPTED',
        auditFailedReasons: [],
        updatedAt: this.deps.now(),
      },
    };
  }

  private async apply(
    product: ShopifyProduct,
    item: string,
    draft: ListingDraft,
    plan: ListingPlan,
    record: ListingRecord | undefined,
  ): Promise<void> {
    const { report, svc } = this;
    if (this.dryRun)
      report.note(`${item}: pre-flight passed; ${plan.kind === 'none' ? 'TikTok is in step' : `would ${plan.kind}`}`);
    switch (plan.kind) {
      case 'none': {
        report.skip('unchanged');
        // Fixed in Shopify back to what TikTok has: an old pre-flight verdict no longer applies.
        const review = record?.status === 'FAILED' || record?.status === 'PLATFORM_DEACTIVATED' || record?.status === 'FREEZE';
        if (!this.dryRun && !review && this.attention.has(product.id)) {
          await svc.state.clearNeedsAttention(product.id);
          this.attention.delete(product.id);
        }
        if (!this.dryRun && record && !this.listings.has(product.id))
          await this.saveAfterWrite(product, draft, record.tiktokProductId, {}, 'ADOPTED');
        return;
      }
      case 'create': {
        if (this.pausedUntil !== undefined) {
          report.skip('listing-quota-paused');
          return;
        }
        if (this.dryRun) {
          svc.preview?.add('create', product.id);
          return report.wouldSend('POST /product/202309/products', item, plan.body);
        }
        // Until one create went through in this run, creates go one at a time: a used-up daily
        // quota is then learnt from one call, not from every product in flight.
        const release = await this.createTurn();
        try {
          if (this.pausedUntil !== undefined) {
            report.skip('listing-quota-paused');
            return;
          }
          let created: { product_id: string; skus: { id: string; seller_sku?: string | undefined }[] };
          try {
            created = await svc.tiktok.createProduct(plan.body);
          } catch (err) {
            if (err instanceof TikTokResponseShapeError) {
              // TikTok answered "done" in a shape we could not read: find what it made by seller SKU.
              const found = await this.findCreated(draft);
              if (!found) throw err;
              created = found;
              svc.logger.warn(
                { productId: product.id, tiktokProductId: found.product_id, reason: err.message },
                'create answer unreadable; product found by seller SKU',
              );
            } else if (codeOf(err) === LISTING_QUOTA_CODE) {
              this.pausedUntil = await pauseListing(svc, this.deps.now(), this.shop.region);
              report.skip('listing-quota-paused');
              report.note(
                `TikTok's daily listing quota is used up (code ${LISTING_QUOTA_CODE}): creating listings is paused until ${new Date(this.pausedUntil).toISOString()}; edits and price updates go on`,
              );
              svc.logger.warn({ pausedUntil: this.pausedUntil }, 'listing quota reached; creates paused');
              return;
            } else {
              throw err;
            }
          }
          this.createdOnce = true;
          const skuIds = Object.fromEntries(created.skus.filter((s) => s.seller_sku).map((s) => [s.seller_sku as string, s.id]));
          await this.saveAfterWrite(product, draft, created.product_id, skuIds, 'PENDING');
          svc.logger.info(
            { productId: product.id, tiktokProductId: created.product_id, skus: draft.skus.length },
            'listing created',
          );
          return this.counted();
        } finally {
          release?.();
        }
      }
      case 'edit': {
        if (this.dryRun) {
          svc.preview?.add('edit', product.id);
          return report.wouldSend('PUT /product/202309/products/{product_id}', plan.tiktokProductId, plan.body);
        }
        const edited = await svc.tiktok.editProduct(plan.tiktokProductId, plan.body);
        const skuIds = Object.fromEntries(edited.skus.filter((s) => s.seller_sku).map((s) => [s.seller_sku as string, s.id]));
        await this.saveAfterWrite(product, draft, plan.tiktokProductId, skuIds, 'PENDING');
        report.note(`${item}: edited on TikTok (${plan.why.join('; ')}); it is in review again`);
        svc.logger.info({ productId: product.id, tiktokProductId: plan.tiktokProductId, why: plan.why }, 'listing edited');
        return this.counted();
      }
      case 'price-only':
      case 'inventory-only':
      case 'price-and-inventory': {
        const id = plan.tiktokProductId;
        const price = plan.kind === 'inventory-only' ? undefined : plan.price;
        const inventory = plan.kind === 'price-only' ? undefined : plan.inventory;
        if (this.dryRun) {
          if (price) report.wouldSend('POST /product/202309/products/{product_id}/prices/update', id, price);
          if (inventory) {
            svc.preview?.add('stock', ...inventory.skus.map((s) => s.id));
            report.wouldSend('POST /product/202309/products/{product_id}/inventory/update', id, inventory);
          }
          return;
        }
        if (price) await svc.tiktok.updatePrice(id, price.skus);
        if (inventory) {
          const { errors } = await svc.tiktok.updateInventory(id, inventory.skus);
          for (const e of errors) report.fail(`${item} SKU ${String(e.detail.sku_id ?? '?')}`, e.message, e.code);
          const failed = new Set(errors.map((e) => String(e.detail.sku_id ?? '')));
          await svc.state.recordPushed(
            inventory.skus
              .filter((s) => !failed.has(s.id))
              .map((s) => ({
                tiktokSkuId: s.id,
                warehouses: Object.fromEntries(s.inventory.map((i) => [i.warehouse_id, i.quantity])),
              })),
          );
        }
        if (record && this.listings.has(product.id)) {
          const next: ListingRecord = { ...record, priceHash: priceHashOf(draft) };
          await svc.state.saveListing(product.id, next);
          this.listings.set(product.id, next);
        } else {
          await this.saveAfterWrite(product, draft, id, {}, 'ADOPTED'); // adopted: record it, and learn its status
        }
        svc.logger.info(
          { productId: product.id, tiktokProductId: id, prices: price?.skus.length ?? 0 },
          'prices updated (no review)',
        );
        return this.counted();
      }
      case 'activate': {
        if (this.dryRun) return report.wouldSend('POST /product/202309/products/activate', plan.tiktokProductId, plan.body);
        const { errors } = await svc.tiktok.activateProducts(plan.body.product_ids);
        if (errors.length > 0)
          return report.fail(
            item,
            `TikTok did not reactivate listing ${plan.tiktokProductId}: ${errors.map((e) => e.message).join('; ')}`,
            errors[0]?.code,
          );
        const next: ListingRecord = { ...(record as ListingRecord), status: 'ACTIVATE' };
        await svc.state.saveListing(product.id, next);
        this.listings.set(product.id, next);
        report.note(`${item}: back in Shopify, reactivated on TikTok`);
        this.counted();
        // Back on sale: bring the rest (content, prices) in step in the same pass.
        const again = planListingChange(previousListingState(next, this.linksOf(product.id), draft), draft, svc.rules);
        if (again.kind !== 'activate') await this.apply(product, item, draft, again, next);
        return;
      }
      case 'deactivate':
        return; // never planned for a product Shopify still offers
    }
  }

  /**
   * Waits for this run's first create (if one is in flight and none succeeded yet) and, while
   * no create has succeeded, makes this product's create the one others wait for.
   */
  private async createTurn(): Promise<(() => void) | undefined> {
    while (!this.createdOnce && this.createProbe) await this.createProbe;
    if (this.createdOnce) return undefined;
    let release!: () => void;
    this.createProbe = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.createProbe = undefined;
      release();
    };
  }

  /** The one TikTok product holding every seller SKU of the draft, if there is one. */
  private async findCreated(
    draft: ListingDraft,
  ): Promise<{ product_id: string; skus: { id: string; seller_sku: string }[] } | undefined> {
    const page = await this.svc.tiktok.searchProducts(
      { sellerSkus: draft.skus.slice(0, 10).map((s) => s.sellerSku) },
      { pageSize: 10 },
    );
    const wanted = new Set(draft.skus.map((s) => s.sellerSku));
    const match = page.products.filter((p) => p.status !== 'DELETED' && p.skus.some((s) => wanted.has(s.seller_sku)));
    if (match.length !== 1 || !draft.skus.every((s) => match[0]?.skus.some((k) => k.seller_sku === s.sellerSku)))
      return undefined;
    return { product_id: match[0]!.id, skus: match[0]!.skus.map((s) => ({ id: s.id, seller_sku: s.seller_sku })) };
  }

  private counted(): void {
    this.report.summary.changed++;
    this.report.summary.pushed++;
  }

  /** After TikTok took a create or edit: SKU links, stock as sent, the listing record, a review poll. */
  private async saveAfterWrite(
    product: ShopifyProduct,
    draft: ListingDraft,
    tiktokProductId: string,
    answered: Record<string, string>,
    status: string,
  ): Promise<void> {
    const { svc } = this;
    const known = Object.fromEntries(
      this.linksOf(product.id)
        .filter((l) => l.tiktokProductId === tiktokProductId)
        .map((l) => [l.sellerSku, l.tiktokSkuId]),
    );
    let skuIds = { ...known, ...answered };
    if (draft.skus.some((s) => !skuIds[s.sellerSku])) {
      // An answer without a SKU's id would leave it unlinked and make every later run edit again.
      const live = await svc.tiktok.getProduct(tiktokProductId);
      skuIds = { ...skuIds, ...Object.fromEntries(live.skus.map((s) => [s.seller_sku, s.id])) };
    }
    const itemOf = new Map(product.variants.map((v) => [v.id, v.inventoryItemId]));
    const links: SkuLink[] = draft.skus
      .filter((s) => skuIds[s.sellerSku])
      .map((s) => ({
        sellerSku: s.sellerSku,
        shopifyProductId: product.id,
        shopifyVariantId: s.shopifyVariantId,
        shopifyInventoryItemId: itemOf.get(s.shopifyVariantId) ?? '',
        tiktokProductId,
        tiktokSkuId: skuIds[s.sellerSku] as string,
      }));
    const current = new Set(draft.skus.map((s) => s.sellerSku));
    const gone = this.linksOf(product.id)
      .filter((l) => !current.has(l.sellerSku))
      .map((l) => l.sellerSku);
    await svc.state.removeSkuLinks(gone);
    await svc.state.saveSkuLinks(links);
    // What we just set on TikTok is "last pushed": the inventory worker does not send it again.
    const pushed = draft.skus
      .filter((s) => skuIds[s.sellerSku] && s.inventory.length > 0)
      .map((s) => ({
        tiktokSkuId: skuIds[s.sellerSku] as string,
        warehouses: Object.fromEntries(s.inventory.map((i) => [i.warehouse_id, i.quantity])),
      }));
    await svc.state.recordPushed(pushed, this.deps.now());
    const record: ListingRecord = {
      tiktokProductId,
      contentHash: listingContentHash(draft),
      priceHash: priceHashOf(draft),
      status,
      auditFailedReasons: [],
      updatedAt: this.deps.now(),
    };
    await svc.state.saveListing(product.id, record);
    this.listings.set(product.id, record);
    this.attention.delete(product.id);
    for (const sku of gone) this.unsetLink(sku);
    for (const link of links) this.setLink(link);
    await scheduleStatusPoll(svc, tiktokProductId, FIRST_POLL_DELAY_MS, this.jobId);
  }

  /** Listings that can sell now or once review passes: the base of the mass-removal guard. */
  liveListingCount(): number {
    return [...this.listings.values()].filter((r) => MAY_SELL.has(r.status)).length;
  }

  /**
   * Listings whose Shopify product was deleted, archived or is no longer selected: deactivated
   * on TikTok per `rules.listing.onShopifyRemoved` (one call per 20), never left for sale.
   */
  async removeListings(removed: readonly { productId: string; why: string }[]): Promise<void> {
    await this.deactivate(this.planRemovals(removed));
  }

  /** Which of `removed` would be deactivated (counted as seen; the rest are skipped with their reason). */
  planRemovals(removed: readonly { productId: string; why: string }[]): RemovalTarget[] {
    const { report, svc } = this;
    const targets: RemovalTarget[] = [];
    for (const { productId, why } of removed) {
      const record = this.listings.get(productId);
      if (!record) continue;
      report.summary.seen++;
      const plan = planListingChange(previousListingState(record, this.linksOf(productId), null), null, svc.rules);
      if (plan.kind !== 'deactivate') {
        report.skip(svc.rules.listing.onShopifyRemoved === 'keep' ? 'removed-in-shopify-kept' : 'already-deactivated');
        continue;
      }
      if (!MAY_SELL.has(record.status)) {
        report.skip('removed-in-shopify-not-for-sale');
        continue;
      }
      targets.push({ productId, record, why });
    }
    return targets;
  }

  /** Deactivates the planned removals on TikTok and records them. */
  async deactivate(targets: readonly RemovalTarget[]): Promise<void> {
    const { report, svc } = this;
    if (targets.length === 0) return;
    if (this.dryRun) {
      svc.preview?.add('deactivate', ...targets.map((t) => t.record.tiktokProductId));
      for (const t of targets)
        report.wouldSend('POST /product/202309/products/deactivate', t.record.tiktokProductId, {
          product_ids: [t.record.tiktokProductId],
        });
      return;
    }
    const { errors } = await svc.tiktok.deactivateProducts(targets.map((t) => t.record.tiktokProductId));
    const refused = new Map(errors.map((e) => [String(e.detail.product_id ?? ''), e]));
    for (const t of targets) {
      const error = refused.get(t.record.tiktokProductId);
      if (error) {
        // Typically still in review: the next run tries again.
        report.fail(
          `TikTok listing ${t.record.tiktokProductId} of Shopify product ${t.productId}`,
          `${t.why}, but TikTok did not deactivate it: ${error.message}`,
          error.code,
        );
        continue;
      }
      const next: ListingRecord = { ...t.record, status: DEACTIVATED, updatedAt: this.deps.now() };
      await svc.state.saveListing(t.productId, next);
      this.listings.set(t.productId, next);
      report.note(`TikTok listing ${t.record.tiktokProductId} deactivated: Shopify product ${t.productId} ${t.why}`);
      svc.logger.info({ productId: t.productId, tiktokProductId: t.record.tiktokProductId, why: t.why }, 'listing deactivated');
      this.counted();
    }
  }
}

/** A one-entry map of what a read found (empty when it found nothing). */
async function oneEntry<T>(key: string, value: Promise<T | undefined>): Promise<Map<string, T>> {
  const found = await value;
  return found === undefined ? new Map() : new Map([[key, found]]);
}

/**
 * The links a single-product run needs: those of the product's SKUs now, and those its
 * variants' inventory items were linked under (a SKU renamed in Shopify since it was listed).
 */
async function scopedLinks(svc: StoreServices, scope: ListingRunScope): Promise<SkuLink[]> {
  const earlierSkus = await svc.state.skusOfInventoryItems(scope.inventoryItemIds);
  const links = await svc.state.skuLinks([...new Set([...scope.sellerSkus, ...earlierSkus])]);
  return [...links.values()];
}
