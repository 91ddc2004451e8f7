import { buildSignString, signRequest } from './sign.js';

// Every published vector of API-FACTS "Test vectors", plus the derived ones.
describe('signRequest', () => {
  it('V1: official doc, GET without body', () => {
    const input = {
      appSecret: 'e59af819cc',
      path: '/authorization/202309/shops',
      query: { app_key: '29a39d', timestamp: '1623812664' },
    };
    expect(buildSignString(input)).toBe('e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc');
    expect(signRequest(input)).toBe('b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8');
  });

  const v2query = { timestamp: '1696909648', shop_cipher: 'ROW_xkMbgAAAeVAQra0eZWebFQq5aIK', app_key: '68xu9ks5p4i8' };

  it('V2: GET with shop_cipher (keys given out of order)', () => {
    expect(signRequest({ appSecret: 'e59af819cc', path: '/event/202309/webhooks', query: v2query })).toBe(
      'ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37',
    );
  });

  it('V3: PUT with the exact JSON body bytes', () => {
    const body = '{"event_type":"PACKAGE_UPDATE","address":"https://partner.tiktokshop.com"}';
    const input = {
      appSecret: 'e59af819cc',
      path: '/event/202309/webhooks',
      query: v2query,
      body,
      contentType: 'application/json',
    };
    expect(buildSignString(input)).toBe(
      `e59af819cc/event/202309/webhooksapp_key68xu9ks5p4i8shop_cipherROW_xkMbgAAAeVAQra0eZWebFQq5aIKtimestamp1696909648${body}e59af819cc`,
    );
    expect(signRequest(input)).toBe('701dd6deb2389fe4c469b89bd37fc56f96a6da6afeb4d01c9077a65169752fa7');
    expect(signRequest({ ...input, body: Buffer.from(body) })).toBe(
      '701dd6deb2389fe4c469b89bd37fc56f96a6da6afeb4d01c9077a65169752fa7',
    );
  });

  it('V4: the same body with other key order signs differently', () => {
    const body = '{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}';
    expect(
      signRequest({
        appSecret: 'e59af819cc',
        path: '/event/202309/webhooks',
        query: v2query,
        body,
        contentType: 'application/json',
      }),
    ).toBe('cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a');
  });

  it('V5: EcomPHP minimal', () => {
    const input = { appSecret: 'app_secret', path: '/test-api', query: { foo: 'bar' } };
    expect(buildSignString(input)).toBe('app_secret/test-apifoobarapp_secret');
    expect(signRequest(input)).toBe('d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f');
  });

  it('V6/V7: legacy fixtures, access_token and sign excluded', () => {
    const common = {
      app_key: '12abcd',
      timestamp: '1600000000',
      access_token: 'abc1c123-3128-aa17-125e-2d2d51ab814fa',
      sign: 'ignored',
    };
    expect(signRequest({ appSecret: '123', path: '/api/shop/get_authorized_shop', query: common })).toBe(
      'f0f368ecacccb0839e5291d375f9171e1ab93b65fb2bc4ece556e1f42466249f',
    );
    expect(
      signRequest({
        appSecret: '123',
        path: '/api/finance/order/settlements',
        query: { ...common, order_id: '576462772652640213', shop_id: '123456' },
      }),
    ).toBe('a7413dac4b6a6aa8f9f99e77a394b9952bf7742e205c3a0b0ae8196dfaca877b');
  });

  it('derived: multipart bodies are never signed', () => {
    const input = {
      appSecret: 'e59af819cc',
      path: '/product/202309/images/upload',
      query: { app_key: '29a39d', timestamp: '1623812664' },
      body: 'binary-bytes',
      contentType: 'multipart/form-data; boundary=----x',
    };
    expect(signRequest(input)).toBe('2f292aaeecc6a6ce8c7240771265c3342b343f27ef91271fe72a9452d74fa844');
  });

  it('derived: comma-joined ids and a POST search with query and body', () => {
    const cipher = 'ROW_xkMbgAAAeVAQra0eZWebFQq5aIK';
    expect(
      signRequest({
        appSecret: 'e59af819cc',
        path: '/order/202309/orders',
        query: { app_key: '29a39d', ids: '576461413038785752,576461413038785753', shop_cipher: cipher, timestamp: '1623812664' },
      }),
    ).toBe('c7c2a0bb5bdaf2fe848b6af7d97b29f01de464ee19e87d81f65a92c371ca35b6');
    expect(
      signRequest({
        appSecret: 'e59af819cc',
        path: '/product/202309/products/search',
        query: { app_key: '29a39d', page_size: '20', shop_cipher: cipher, timestamp: '1623812664' },
        body: '{"status":"ACTIVATE","seller_skus":["SKU-1"]}',
        contentType: 'application/json',
      }),
    ).toBe('df9dab795fd266cab7ecc9107131d4497cbac71f98dec21b5dbe16de2a79f1e7');
  });
});
