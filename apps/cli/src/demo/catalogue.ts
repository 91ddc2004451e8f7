import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { generateCatalogue, type Catalogue } from '@shoptok/testkit/shopify';

/** The demo's sample store: 24 products, two locations, and the generator's deliberate mistakes. */
export const DEMO_CATALOGUE = { products: 24, seed: 7, locations: 2 } as const;

/** The demo's stand-in for Shopify's image CDN: real PNGs over loopback HTTP. */
export interface ImageServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The sample catalogue with its images served by `images`: the product worker runs as its own
 * process and downloads them over HTTP, as it downloads Shopify's CDN in production.
 */
export function demoCatalogue(images: ImageServer): Catalogue {
  const catalogue = generateCatalogue(DEMO_CATALOGUE);
  for (const product of catalogue.products) {
    for (const media of product.media)
      media.url = `${images.url}/s/files/${
        new URL(media.url).pathname
          .split('/')
          .pop()
          ?.replace(/\.\w+$/, '') ?? media.id
      }.png`;
  }
  return catalogue;
}

/** Serves an 800 x 800 PNG for any path (its colour taken from the path), on a free loopback port. */
export async function startImageServer(): Promise<ImageServer> {
  const cache = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' || !path.startsWith('/s/files/')) {
      res.writeHead(404).end();
      return;
    }
    let png = cache.get(path);
    if (!png) cache.set(path, (png = demoImage(path)));
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
    res.end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A real 800 x 800 PNG of one colour, taken from `key`. */
function demoImage(key: string): Buffer {
  const size = 800;
  const [r, g, b] = createHash('sha256').update(key).digest();
  const row = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x++) row.set([r ?? 0, g ?? 0, b ?? 0], 1 + x * 3);
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
