import { scrubSecrets } from '@shoptok/logger';
import type { StoreServices } from '../services.js';
import { imageSourceKey } from './adapt.js';

/** Downloads one image (a Shopify CDN URL) and returns its bytes. */
export type FetchImage = (url: string) => Promise<Buffer>;

/** TikTok takes at most 9 main images (API-FACTS §6 main_images). */
export const MAX_MAIN_IMAGES = 9;
/** TikTok's upload limit (API-FACTS §6 image upload). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** An image that could not be downloaded; `retryable` tells a CDN hiccup from a dead or oversized image. */
export class ImageFetchError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  constructor(message: string, code: string, retryable: boolean) {
    super(scrubSecrets(message));
    this.name = 'ImageFetchError';
    this.code = code;
    this.retryable = retryable;
  }
}

export interface HttpImageFetcherOptions {
  /** Per image, default 20 s. */
  timeoutMs?: number;
  /** Default TikTok's 10 MB: bigger files are refused before they are read whole. */
  maxBytes?: number;
}

/** The default `fetchImage`: global fetch with a timeout and a size cap. */
export function httpImageFetcher(options: HttpImageFetcherOptions = {}): FetchImage {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxBytes ?? MAX_IMAGE_BYTES;
  return async (url) => {
    const shown = imageSourceKey(url);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    } catch (err) {
      // A DOMException is not always `instanceof Error` (other realms): go by its name.
      const name = (err as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new ImageFetchError(
        `image ${shown} could not be downloaded (${timedOut ? `no answer in ${timeoutMs} ms` : String((err as { message?: unknown } | null)?.message ?? err)}); it is tried again on the next run`,
        timedOut ? 'image-timeout' : 'image-network',
        true,
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      const retryable = res.status >= 500 || res.status === 429;
      throw new ImageFetchError(
        `image ${shown} answered HTTP ${res.status}${retryable ? '; it is tried again on the next run' : '; replace or remove it in Shopify'}`,
        `image-http-${res.status}`,
        retryable,
      );
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw tooLarge(shown, declared, maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    // Counted while reading: a missing or lying content-length must not let a huge file in.
    for await (const chunk of res.body ?? []) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge(shown, total, maxBytes);
      chunks.push(chunk);
    }
    if (total === 0) throw new ImageFetchError(`image ${shown} is empty; replace it in Shopify`, 'image-empty', false);
    return Buffer.concat(chunks);
  };
}

function tooLarge(url: string, bytes: number, max: number): ImageFetchError {
  return new ImageFetchError(
    `image ${url} is over ${Math.round(max / 1024 / 1024)} MB (${bytes} bytes so far), TikTok's upload limit; upload a smaller file in Shopify`,
    'image-too-large',
    false,
  );
}

/** Uploaded images by Shopify URL, with the size TikTok measured. */
export interface UploadedImages {
  uris: Record<string, string>;
  images: { url: string; width?: number; height?: number }[];
  /** Dry run: the images that would be uploaded first. */
  pending: string[];
}

/**
 * Uploads a product's main images, at most TikTok's 9, each once: the client caches the TikTok
 * `uri` by source key (the URL without query), so a known image is neither downloaded nor
 * uploaded again. The images go up side by side (the client's pacer keeps the upload API under
 * TikTok's limit); the result keeps their order. A dry run uploads nothing and uses a
 * placeholder uri.
 */
export async function uploadMainImages(
  svc: StoreServices,
  urls: readonly string[],
  fetchImage: FetchImage,
  dryRun: boolean,
): Promise<UploadedImages> {
  const each = await Promise.allSettled(
    urls.slice(0, MAX_MAIN_IMAGES).map(async (url) => {
      const sourceKey = imageSourceKey(url);
      const cached = await svc.tiktok.cachedImageFor(sourceKey, 'MAIN_IMAGE');
      if (!cached && dryRun) return { url, sourceKey, uploaded: undefined };
      const uploaded =
        cached ??
        (await svc.tiktok.uploadImage({
          data: await fetchImage(url),
          useCase: 'MAIN_IMAGE',
          sourceKey,
          fileName: sourceKey.slice(sourceKey.lastIndexOf('/') + 1) || 'image',
        }));
      return { url, sourceKey, uploaded };
    }),
  );
  // The first failure in image order, as when they went one by one.
  const failed = each.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const out: UploadedImages = { uris: {}, images: [], pending: [] };
  for (const r of each) {
    const { url, sourceKey, uploaded } = (
      r as PromiseFulfilledResult<{
        url: string;
        sourceKey: string;
        uploaded: Awaited<ReturnType<StoreServices['tiktok']['uploadImage']>> | undefined;
      }>
    ).value;
    if (!uploaded) {
      out.pending.push(url);
      out.uris[url] = `not-uploaded-yet:${sourceKey}`;
      out.images.push({ url });
      continue;
    }
    out.uris[url] = uploaded.uri;
    out.images.push({
      url,
      ...(uploaded.width ? { width: uploaded.width } : {}),
      ...(uploaded.height ? { height: uploaded.height } : {}),
    });
  }
  return out;
}
