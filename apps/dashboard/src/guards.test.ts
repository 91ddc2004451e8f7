import { createBasicAuthCheck, crossSiteRefusal } from './guards.js';
import { credentialsProblem, isLoopbackHost } from './startup.js';

const header = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('createBasicAuthCheck', () => {
  const check = createBasicAuthCheck({ username: 'ops', password: 'p:ss wörd long' });

  it('accepts exactly the configured pair (a colon in the password included)', () => {
    expect(check(header('ops', 'p:ss wörd long'))).toBe(true);
    expect(check(`basic  ${Buffer.from('ops:p:ss wörd long').toString('base64')}`)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const value of [
      undefined,
      '',
      'Basic',
      'Basic ',
      header('ops', 'p:ss wörd lon'),
      header('Ops', 'p:ss wörd long'),
      header('', ''),
      'Basic b3Bz',
      'Bearer x',
    ]) {
      expect(check(value)).toBe(false);
    }
  });
});

describe('crossSiteRefusal', () => {
  const request = (method: string, headers: Record<string, string>) => ({
    method,
    headers: { host: 'dash.local:3000', ...headers },
    protocol: 'http',
  });

  it('lets reads through whatever their origin', () => {
    expect(
      crossSiteRefusal(request('GET', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }), undefined),
    ).toBeUndefined();
  });

  it('allows same-origin writes, by Fetch Metadata or by Origin', () => {
    expect(
      crossSiteRefusal(request('POST', { 'sec-fetch-site': 'same-origin', origin: 'http://dash.local:3000' }), undefined),
    ).toBeUndefined();
    expect(crossSiteRefusal(request('PUT', { origin: 'http://DASH.local:3000' }), undefined)).toBeUndefined();
    // Behind a TLS proxy the browser's origin is the public URL.
    expect(crossSiteRefusal(request('POST', { origin: 'https://ops.example.com' }), 'https://ops.example.com')).toBeUndefined();
    // curl and scripts send neither header.
    expect(crossSiteRefusal(request('POST', {}), undefined)).toBeUndefined();
  });

  it('refuses writes another site makes the browser send', () => {
    expect(crossSiteRefusal(request('POST', { 'sec-fetch-site': 'cross-site' }), undefined)).toMatch(/cross-site POST/);
    expect(
      crossSiteRefusal(request('PATCH', { 'sec-fetch-site': 'same-site', origin: 'http://dash.local:3000' }), undefined),
    ).toBeDefined();
    expect(crossSiteRefusal(request('POST', { origin: 'https://evil.example' }), 'https://ops.example.com')).toMatch(
      /origin https:\/\/evil\.example/,
    );
    expect(crossSiteRefusal(request('DELETE', { origin: 'null' }), undefined)).toBeDefined();
    expect(crossSiteRefusal(request('POST', { origin: 'https://dash.local:3000' }), undefined)).toBeDefined();
  });
});

describe('startup checks', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'dashboard.internal', '128.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('refuses a dashboard beyond loopback without both credentials', () => {
    expect(credentialsProblem({ host: '0.0.0.0', username: 'ops', password: undefined })).toMatch(
      /DASHBOARD_USERNAME and DASHBOARD_PASSWORD/,
    );
    expect(credentialsProblem({ host: '0.0.0.0', username: 'ops', password: 'long enough pw' })).toBeUndefined();
    expect(credentialsProblem({ host: '127.0.0.1', username: undefined, password: undefined })).toBeUndefined();
  });
});
