// A real OpenID Connect provider for the single sign-on tests, on 127.0.0.1:PORT.
// It signs in whoever the client names in login_hint (no form: the tests stand for the
// person). POST /test-control/second-factor/on (or /off) sets whether the sign-ins that
// follow say they used a second factor ("amr": ["pwd", "otp"]).
// Usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
import http from 'node:http';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

let secondFactor = false;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub', 'amr', 'acr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    const email = id;
    return {
      accountId: id,
      async claims() {
        return {
          email,
          email_verified: !email.startsWith('unverified'),
          name: `SSO ${email.split('@')[0]}`,
        };
      },
    };
  },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => false },
  cookies: { keys: ['learning-review-tests-only'] },
  conformIdTokenClaims: false,
});
provider.proxy = false;

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  if (req.url.startsWith('/test-control/second-factor/')) {
    secondFactor = req.url.endsWith('/on');
    res.end('ok');
    return;
  }
  if (!req.url.startsWith('/interaction/')) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const hint = details.params.login_hint || 'nobody@example.org';
      const amr = secondFactor ? ['pwd', 'otp'] : ['pwd'];
      await provider.interactionFinished(req, res, { login: { accountId: hint, amr } },
        { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({
      accountId: details.session.accountId,
      clientId: details.params.client_id,
    });
    grant.addOIDCScope(details.params.scope);
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } },
      { mergeWithLastSubmission: true });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
