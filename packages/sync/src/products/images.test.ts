// The default image fetcher against a real local HTTP server.
import { httpImageFetcher, ImageFetchError } from './images.js';
import { listen } from './products.test-helpers.js';
import { imageSourceKey } from './adapt.js';

describe('httpImageFetcher', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/ok.png')) return res.end(Buffer.alloc(1000, 7));
      if (path === '/missing.png') return res.writeHead(404).end();
      if (path === '/busy.png') return res.writeHead(503).end();
      if (path === '/huge.png') {
        // No content-length: the cap must hold while reading.
        res.writeHead(200, { 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1000));
        return res.end();
      }
      if (path === '/slow.png') return; // never answers
      res.writeHead(500).end();
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const fetchImage = () => httpImageFetcher({ timeoutMs: 300, maxBytes: 2000 });
  const failure = async (path: string) => {
    const err = await fetchImage()(`${server.url}${path}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImageFetchError);
    return err as ImageFetchError;
  };

  it('returns the bytes', async () => {
    expect((await fetchImage()(`${server.url}/ok.png?v=3`)).length).toBe(1000);
  });

  it('tells a dead image (fix it in Shopify) from a CDN hiccup (try again)', async () => {
    expect(await failure('/missing.png')).toMatchObject({ retryable: false, code: 'image-http-404' });
    expect(await failure('/busy.png')).toMatchObject({ retryable: true, code: 'image-http-503' });
    expect(await failure('/slow.png')).toMatchObject({ retryable: true, code: 'image-timeout' });
  });

  it('refuses an image over the size cap while reading it', async () => {
    expect(await failure('/huge.png')).toMatchObject({ retryable: false, code: 'image-too-large' });
  });

  it('caches uploads under the URL without its query string', () => {
    expect(imageSourceKey('https://cdn.shopify.com/s/files/1/a.jpg?v=1712&width=800')).toBe(
      'https://cdn.shopify.com/s/files/1/a.jpg',
    );
    expect(imageSourceKey('https://cdn.shopify.com/s/files/1/a.jpg')).toBe('https://cdn.shopify.com/s/files/1/a.jpg');
  });
});
