// A strict relying party nobody here wrote (openid-client) against a live
// Gatehouse: the Go test internal/door/oidc/node_test.go starts the server,
// registers the client, signs the browser in (SESSION_COOKIE) and runs
// this script, which prints one JSON object of what it saw and exits 0, or
// prints the failure and exits 1.
//
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SESSION_COOKIE
// (name=value of the browser's sign-in), POST_LOGOUT_REDIRECT_URI (one of
// the client's post_logout_redirect_uris); KEY_CLIENT_* for private_key_jwt
// (below).
//
// `node rp.mjs device` is the device flow instead (RFC 8628), as a public
// client (ISSUER, CLIENT_ID): it prints one JSON line with the user code,
// which the Go test approves as the person on /device would, then polls
// and prints one JSON object of what it got.
import * as client from 'openid-client';

if (process.argv[2] === 'device') {
  const issuer = process.env.ISSUER;
  const config = await client.discovery(new URL(issuer), process.env.CLIENT_ID, undefined, client.None(),
    { execute: [client.allowInsecureRequests] });
  const da = await client.initiateDeviceAuthorization(config, { scope: 'openid email offline_access' });
  console.log(JSON.stringify({ user_code: da.user_code, verification_uri: da.verification_uri,
    verification_uri_complete: da.verification_uri_complete, interval: da.interval }));
  const tokens = await client.pollDeviceAuthorizationGrant(config, da);
  const claims = tokens.claims();
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  let reused;
  try {
    await client.pollDeviceAuthorizationGrant(config, { ...da, interval: 1 });
    reused = 'accepted';
  } catch (e) {
    reused = e?.error ?? e?.code ?? String(e);
  }
  console.log(JSON.stringify({ sub: claims.sub, email: info.email, refresh: Boolean(tokens.refresh_token), reused }));
  process.exit(0);
}

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const issuer = env('ISSUER');
const redirectURI = env('REDIRECT_URI');
const cookie = env('SESSION_COOKIE');

// The browser's part: follow the authorization URL through the sign-in's
// continuation to the callback, without following the callback itself.
async function browse(url) {
  for (let i = 0; i < 5; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie } });
    const to = res.headers.get('location');
    if (res.status !== 303 || !to) throw new Error(`GET ${url}: ${res.status}, want a redirect`);
    const next = new URL(to, url);
    if (next.href.startsWith(redirectURI)) return next;
    if (next.pathname === '/login') {
      url = new URL(next.searchParams.get('continue'), issuer).href;
      continue;
    }
    url = next.href;
  }
  throw new Error('too many redirects');
}

async function codeFlow(config) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI, scope: 'openid email profile offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce,
  });
  const callback = await browse(url.href);
  const checks = { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce };
  return { callback, checks, tokens: await client.authorizationCodeGrant(config, callback, checks) };
}

// The OAuth error code a refused call carries; a 401 with a challenge
// (RFC 6749 §5.2 invalid_client over Basic) keeps it in the response body.
async function errorCode(e) {
  if (e?.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' && e.response) {
    try {
      return (await e.response.json()).error;
    } catch {
      return `challenge ${e.status}`;
    }
  }
  return e?.error ?? e?.cause?.error ?? e?.code ?? String(e);
}

const out = {};
const options = { execute: [client.allowInsecureRequests] };
const config = await client.discovery(new URL(issuer), env('CLIENT_ID'), undefined,
  client.ClientSecretBasic(env('CLIENT_SECRET')), options);

const { callback, checks, tokens } = await codeFlow(config);
const claims = tokens.claims();
out.sub = claims.sub;
out.amr = claims.amr;
out.nonceChecked = true;
const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
out.email = info.email;

// The same code again: refused, and what it issued is revoked.
try {
  await client.authorizationCodeGrant(config, callback, checks);
  out.reusedCode = 'accepted';
} catch (e) {
  out.reusedCode = await errorCode(e);
}
out.firstGrantAfterReuse = (await client.tokenIntrospection(config, tokens.access_token)).active;

const second = (await codeFlow(config)).tokens;
const refreshed = await client.refreshTokenGrant(config, second.refresh_token);
out.refreshed = refreshed.access_token !== second.access_token && refreshed.refresh_token !== second.refresh_token;
out.introspected = (await client.tokenIntrospection(config, refreshed.access_token)).active;
await client.tokenRevocation(config, refreshed.refresh_token);
out.afterRevocation = (await client.tokenIntrospection(config, refreshed.access_token)).active;

// A wrong secret.
const wrong = await client.discovery(new URL(issuer), env('CLIENT_ID'), undefined,
  client.ClientSecretBasic('not-the-secret'), options);
try {
  await client.refreshTokenGrant(wrong, second.refresh_token);
  out.wrongSecret = 'accepted';
} catch (e) {
  out.wrongSecret = await errorCode(e);
}

// RP-initiated logout: openid-client builds the end_session_endpoint's URL
// (discovery must name it) with the id_token as the hint; the browser
// follows it back to the registered URI with the state, and the grant of
// that id_token is over.
const third = (await codeFlow(config)).tokens;
const logoutState = client.randomState();
const endSession = client.buildEndSessionUrl(config, {
  id_token_hint: third.id_token, post_logout_redirect_uri: env('POST_LOGOUT_REDIRECT_URI'), state: logoutState,
});
const res = await fetch(endSession, { redirect: 'manual' });
const back = new URL(res.headers.get('location') ?? '', issuer);
out.logoutStatus = res.status;
out.logoutBack = back.origin + back.pathname === env('POST_LOGOUT_REDIRECT_URI') && back.searchParams.get('state') === logoutState;
out.afterLogout = (await client.tokenIntrospection(config, third.access_token)).active;

// private_key_jwt (RFC 7523 §2.2): a service client whose key signs an
// assertion for every request (openid-client sets aud to the issuer).
// Environment: KEY_CLIENT_ID, KEY_CLIENT_JWK (its private P-256 JWK with
// kid), KEY_CLIENT_RESOURCE.
if (process.env.KEY_CLIENT_ID) {
  const jwk = JSON.parse(env('KEY_CLIENT_JWK'));
  const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' };
  const key = await crypto.subtle.importKey('jwk', jwk, ecdsa, false, ['sign']);
  const resource = env('KEY_CLIENT_RESOURCE');
  const keyed = await client.discovery(new URL(issuer), env('KEY_CLIENT_ID'), undefined,
    client.PrivateKeyJwt({ key, kid: jwk.kid }), options);
  const cc = await client.clientCredentialsGrant(keyed, { resource });
  out.keyToken = typeof cc.access_token === 'string' && cc.access_token.length > 0;
  out.keyIntrospected = (await client.tokenIntrospection(keyed, cc.access_token)).active;
  await client.tokenRevocation(keyed, cc.access_token);
  out.keyRevocationAccepted = true;
  // Another key under the registered kid.
  const other = await crypto.subtle.generateKey(ecdsa, false, ['sign']);
  const wrong = await client.discovery(new URL(issuer), env('KEY_CLIENT_ID'), undefined,
    client.PrivateKeyJwt({ key: other.privateKey, kid: jwk.kid }), options);
  for (const [name, call] of [['keyWrongToken', () => client.clientCredentialsGrant(wrong, { resource })],
    ['keyWrongIntrospection', () => client.tokenIntrospection(wrong, cc.access_token)],
    ['keyWrongRevocation', () => client.tokenRevocation(wrong, cc.access_token)]]) {
    try {
      await call();
      out[name] = 'accepted';
    } catch (e) {
      out[name] = await errorCode(e);
    }
  }
}

console.log(JSON.stringify(out));
