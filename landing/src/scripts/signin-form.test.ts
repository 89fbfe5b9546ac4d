import { describe, expect, it } from 'vitest';
import { shopName, shopSignInUrl } from './signin-form';

describe("a shop's sign-in address", () => {
  it('is the shop under this page’s apex, same scheme and port', () => {
    const here = { protocol: 'http:', hostname: 'orbitengine.localhost', port: '8000' };
    expect(shopSignInUrl('mi-tienda', here)).toBe('http://mi-tienda.orbitengine.localhost:8000/sign-in');
    expect(shopSignInUrl('shop', { protocol: 'https:', hostname: 'www.example.com', port: '' })).toBe('https://shop.example.com/sign-in');
  });

  it('takes what people type as their shop', () => {
    expect(shopName('  Mi-Tienda ')).toBe('mi-tienda');
    expect(shopName('https://mi-tienda.example.com/sign-in')).toBe('mi-tienda');
    expect(shopName('mi-tienda.orbitengine.localhost:8000')).toBe('mi-tienda');
  });
});
