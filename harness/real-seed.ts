/**
 * What the contract suite adds to the real server's database (start.sh's own seed has organization
 * `testorg`, its client-credentials API key, user `alice` and the JWT key). Documents are stored the way
 * the server stores them: field names are the Go struct fields in lower case (mgo's default).
 *
 * Test-only credentials, public on purpose. The password hash is SHA-512 crypt, what the server's
 * `credentials/password/keyderivation` makes (`openssl passwd -6 -salt itsyoutestsalt0 'correct horse battery staple'`);
 * the login through the server's own /login API proves the server accepts it.
 */
export const USER = {
  username: "bob",
  password: "correct horse battery staple",
  /** RFC 6238 TOTP secret, base32 (the `totp` collection). */
  totpSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
};

/** A user API key of bob's (the `apikeys` collection): the client credentials flow as a user. */
export const USER_KEY = { clientId: "HdEAwC7nfx2dCBEh90ssxCS6CbZp", clientSecret: "BFID_5SHDMG2F5Pw_Sz0IuJlPu53" };

/**
 * A user API key of alice's, who owns testorg (start.sh's seed): her own JWTs may say `user:memberof:testorg`.
 * (The server counts a parent organization's members and owners as members of its sub-organizations, so
 * `user:memberof:testorg.anything` is hers too; PREFIX_ORG is not.)
 */
export const MEMBER_KEY = {
  clientId: "aliceKey0123456789abcdefghij",
  clientSecret: "alice-key-secret-0123456789-abcdefghijk",
};

/**
 * An organization with nobody in it whose name starts with "testorg": the server checks a derived JWT's
 * scopes against its parent's by string prefix, so a parent's `user:memberof:testorg` covers
 * `user:memberof:testorg-prod`.
 */
export const PREFIX_ORG = "testorg-prod";

/** An organization with nobody in it; the ones below add their people. */
const EMPTY_ORG = {
  dns: [],
  members: [],
  owners: [],
  publickeys: [],
  secondsvalidity: 300,
  orgowners: [],
  orgmembers: [],
  requiredscopes: [],
  includesuborgsof: [],
};

/**
 * Members of `leaverorg` (owned by alice), each with a user API key; each leaves the organization in the
 * contract suite (carol under Node, erin under Deno, against the same server), after which a refresh of their
 * refreshable JWT still says `user:memberof:leaverorg`.
 */
export const LEAVER_ORG = "leaverorg";
export const LEAVERS = {
  node: {
    username: "carol",
    key: { clientId: "carolKey0123456789abcdefghi", clientSecret: "carol-key-secret-0123456789-abcdefghijk" },
  },
  deno: {
    username: "erin",
    key: { clientId: "erinKey0123456789abcdefghij", clientSecret: "erin-key-secret-0123456789-abcdefghijkl" },
  },
};

/**
 * dave, a member of the suborganization `testorg.guests` only, with a user API key: asking for
 * `user:memberof:testorg` with `client_id=testorg` in the form, he gets it.
 */
export const GUEST = {
  username: "dave",
  org: "testorg.guests",
  key: { clientId: "daveKey0123456789abcdefghij", clientSecret: "dave-key-secret-0123456789-abcdefghijkl" },
};

/** A second API key of testorg's, with a callback URL, for the code flow (`oauth_clients`). */
export const CODE_CLIENT = {
  clientId: "testorg",
  clientSecret: "code-flow-secret-0123456789-abcdefghijklmnopqrstuvw",
  callbackUrl: "https://app.example.com/callback",
};

export const SEED = {
  "itsyouonline-idserver-db": {
    users: [
      {
        username: USER.username,
        firstname: "Bob",
        lastname: "Example",
        emailaddresses: [{ emailaddress: "bob@example.com", label: "main" }],
      },
      ...[LEAVERS.node, LEAVERS.deno, GUEST].map(({ username }) => ({
        username,
        firstname: username,
        lastname: "Example",
      })),
    ],
    password: [{
      username: USER.username,
      password:
        "$6$itsyoutestsalt0$5saB2bMRJbwiiMOBIZ9hJFYQrvr3xc.EG/FZhMd3mh7o76S8fG5G0lntpBhv5SeisZnjkBLddQ7ZmfcU0XEci1",
    }],
    totp: [{ username: USER.username, secret: USER.totpSecret }],
    // Bob has already consented to testorg: name, membership of testorg, and (always granted with an authorization) openid.
    authorizations: [{ username: USER.username, grantedto: "testorg", name: true, organizations: ["testorg"] }],
    apikeys: [
      {
        label: "ci",
        scopes: ["user:admin"],
        applicationid: USER_KEY.clientId,
        apikey: USER_KEY.clientSecret,
        username: USER.username,
      },
      {
        label: "ci",
        scopes: ["user:admin"],
        applicationid: MEMBER_KEY.clientId,
        apikey: MEMBER_KEY.clientSecret,
        username: "alice",
      },
      ...[LEAVERS.node, LEAVERS.deno, GUEST].map(({ username, key }) => ({
        label: "ci",
        scopes: ["user:admin"],
        applicationid: key.clientId,
        apikey: key.clientSecret,
        username,
      })),
    ],
    organizations: [
      { ...EMPTY_ORG, globalid: PREFIX_ORG },
      {
        ...EMPTY_ORG,
        globalid: LEAVER_ORG,
        members: [LEAVERS.node.username, LEAVERS.deno.username],
        owners: ["alice"],
      },
      { ...EMPTY_ORG, globalid: GUEST.org, members: [GUEST.username] },
    ],
    // Access tokens the server made two days ago: 24 hours of life, so expired.
    oauth_accesstokens: [{
      accesstoken: "expiredAccessToken0123456789",
      type: "bearer",
      username: "",
      globalid: "testorg",
      scope: "organization:owner",
      clientid: "testorg",
      createdat: { $date: new Date(Date.now() - 2 * 86_400_000).toISOString() },
    }],
    oauth_clients: [{
      clientid: CODE_CLIENT.clientId,
      label: "web",
      secret: CODE_CLIENT.clientSecret,
      callbackurl: CODE_CLIENT.callbackUrl,
      clientcredentialsgranttype: false,
    }],
  },
};
