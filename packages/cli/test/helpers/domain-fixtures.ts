import type { HerokuDomain, HerokuSniEndpoint } from '@slipway/client';

const APP = { id: '11111111-1111-4111-8111-111111111111', name: 'demo' };

export function domainFixture(hostname: string, kind: HerokuDomain['kind'] = 'custom'): HerokuDomain {
  return {
    id: `dom-${hostname}`,
    hostname,
    kind,
    cname: null,
    status: 'succeeded',
    acm_status: null,
    sni_endpoint: null,
    created_at: '2026-01-02T03:00:00Z',
    updated_at: '2026-01-02T03:00:00Z',
    app: APP,
  };
}

export function sniEndpointFixture(name: string, over: Partial<HerokuSniEndpoint['ssl_cert']> = {}): HerokuSniEndpoint {
  return {
    id: `${name.replace(/^sni-/, '')}-0000-4000-8000-000000000000`,
    name,
    certificate_chain: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    created_at: '2026-01-02T03:00:00Z',
    updated_at: '2026-01-02T03:00:00Z',
    app: APP,
    ssl_cert: {
      cert_domains: ['www.example.com'],
      starts_at: '2026-01-01T00:00:00.000Z',
      expires_at: '2027-01-01T00:00:00.000Z',
      issuer: 'CN=www.example.com',
      subject: 'CN=www.example.com',
      'self_signed?': true,
      ...over,
    },
    domains: [],
  };
}
