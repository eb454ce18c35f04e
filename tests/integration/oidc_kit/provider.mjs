// The OpenID Connect provider of the integration tests: a real node-oidc-provider
// (npm oidc-provider, pinned in package.json here) on http://127.0.0.1:PORT, which is
// exactly its issuer. Started, restarted and stopped by tests/integration/oidc_kit.rs;
// its node_modules are installed by setup.sh outside the source tree.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json:
//   modules       the node_modules directory that holds oidc-provider
//   port          the loopback port to listen on
//   keys          private JWKs (each with kid and alg); the first one signs access tokens,
//                 all of them are published at the jwks_uri (public parts only)
//   client_id, client_secret
//                 the one confidential client: client_credentials only, authenticated
//                 with HTTP Basic (client_secret_basic)
//   requests_log  a file that gets one line per request as it arrives, "METHOD PATH"
//                 (appended, so the counts go on across restarts)
//
// Access tokens are JWTs (typ at+jwt) for any audience: the token request's `audience`
// parameter (or, without it, its `resource` indicator, or "urn:oidc-kit:api"). Two more
// token request parameters of this kit shape a token, both JSON objects:
// `extra_claims`, merged into the payload over the provider's own claims (a null value
// removes that claim), and `extra_header`, merged into the JOSE header (kid, typ).
//
// Prints "ready http://127.0.0.1:PORT" on stdout once listening; exits 3 when the port
// is taken, 2 on a bad configuration, 0 on SIGTERM or SIGINT.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const EXIT_CONFIG = 2;
const EXIT_PORT_IN_USE = 3;
const DEFAULT_RESOURCE = 'urn:oidc-kit:api';

function fail(message) {
  process.stderr.write(`provider.mjs: ${message}\n`);
  process.exit(EXIT_CONFIG);
}

if (process.argv.length !== 3) fail('usage: node provider.mjs CONFIG.json');
let config;
try {
  config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
} catch (e) {
  fail(`cannot read ${process.argv[2]}: ${e.message}`);
}
const { modules, port, keys, client_id: clientId, client_secret: clientSecret } = config;
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('port must be a port number');
if (!Array.isArray(keys) || keys.length === 0) fail('keys must be a non-empty array');
for (const key of keys) {
  if (typeof key.kid !== 'string' || typeof key.alg !== 'string') fail('every key needs a kid and an alg');
}
if (typeof clientId !== 'string' || typeof clientSecret !== 'string') fail('client_id and client_secret must be strings');
if (typeof config.requests_log !== 'string') fail('requests_log must be a path');

// oidc-provider lives in setup.sh's node_modules, not beside this file.
const resolve = createRequire(path.join(modules, 'noop.js')).resolve;
const { default: Provider, errors } = await import(pathToFileURL(resolve('oidc-provider')).href);

const issuer = `http://127.0.0.1:${port}`;
const [signer] = keys;

// A kit parameter of the token request, from the raw form body (oidc-provider passes only
// the grant's own parameters on to the grant).
function bodyJson(ctx, name) {
  const value = ctx?.oidc?.body?.[name];
  if (value === undefined) return undefined;
  let parsed;
  try {
    parsed = JSON.parse(Array.isArray(value) ? value[0] : value);
  } catch {
    // Thrown while the token is made: an invalid_request answer, not a server_error.
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new errors.InvalidRequest(`${name} must be a JSON object`);
  }
  return parsed;
}

const provider = new Provider(issuer, {
  jwks: { keys },
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // The client's ID token alg (unused here) must be one of the keys' and an enabled one:
  // by default RS256 (needs an RSA key), and ES384 is not enabled.
  clientDefaults: { id_token_signed_response_alg: signer.alg },
  enabledJWA: { idTokenSigningAlgValues: [...new Set(keys.map((key) => key.alg))] },
  // Only the client_credentials grant is used; no login or consent pages.
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => DEFAULT_RESOURCE,
      getResourceServerInfo: async (ctx, resource) => ({
        audience: ctx?.oidc?.body?.audience ?? resource,
        scope: '',
        accessTokenFormat: 'jwt',
        accessTokenTTL: 600,
        jwt: { sign: { alg: signer.alg, kid: signer.kid } },
      }),
    },
  },
  formats: {
    customizers: {
      async jwt(ctx, _token, jwt) {
        const claims = bodyJson(ctx, 'extra_claims');
        for (const [name, value] of Object.entries(claims ?? {})) {
          if (value === null) delete jwt.payload[name];
          else jwt.payload[name] = value;
        }
        const header = bodyJson(ctx, 'extra_header');
        if (header) jwt.header = { ...jwt.header, ...header };
      },
    },
  },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  ttl: { ClientCredentials: 600 },
});

// oidc-provider reports failed requests (a bad client secret, a bad extra_claims) as
// events, not on stderr.
for (const event of ['grant.error', 'server_error', 'jwks.error', 'discovery.error']) {
  provider.on(event, (_ctx, error) => {
    process.stderr.write(`${event}: ${error?.message} ${error?.error_description ?? ''}\n`);
  });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  // Before the request is served: whoever got a response finds its line already there.
  fs.appendFileSync(config.requests_log, `${req.method} ${req.url.split('?')[0]}\n`);
  callback(req, res);
});

server.on('error', (error) => {
  process.stderr.write(`provider.mjs: ${error.message}\n`);
  process.exit(error.code === 'EADDRINUSE' ? EXIT_PORT_IN_USE : 1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections();
    process.exit(0);
  });
}

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
