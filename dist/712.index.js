export const id = 712;
export const ids = [712];
export const modules = {

/***/ 1712:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
__webpack_require__.r(__webpack_exports__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_process__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1708);
/* harmony import */ var node_process__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_process__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_util__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _mod_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3210);
/**
 * A command line for ItsYou.online: prints a JWT (or an access token) for the
 * credentials in ITSYOU_CLIENT_ID and ITSYOU_CLIENT_SECRET, a renewal of the
 * refreshable JWT in ITSYOU_JWT (--refresh), or a JWT derived from it (--derive).
 *
 *   deno run --allow-net=itsyou.online --allow-env=ITSYOU_CLIENT_ID,ITSYOU_CLIENT_SECRET,ITSYOU_BASE_URL cli.ts [flags]
 *   npx @itsyou/token [flags]             (the npm package's bin)
 *
 * Secrets are only read from the environment, never from arguments. Errors go
 * to stderr as one line, with exit status 1 (2 for bad flags). A reader that
 * closes stdout early (`| head -c0`) ends the command quietly.
 *
 * @module
 */




const USAGE = `Usage: deno run --allow-net=HOST --allow-env=ITSYOU_CLIENT_ID,ITSYOU_CLIENT_SECRET,ITSYOU_BASE_URL cli.ts [flags]
       itsyou-token [flags]   (the npm package @itsyou/token)

Prints a JWT for ITSYOU_CLIENT_ID and ITSYOU_CLIENT_SECRET (from the environment).
With --derive, prints a JWT derived from the user's refreshable JWT in ITSYOU_JWT
(delegation: another audience, the same or fewer scopes, never outliving it and
never refreshable). It asks only for user:memberof: scopes that JWT holds exactly:
ItsYou.online does not check membership on delegation, and verifiers do not
accept membership from a derived JWT.
With --refresh, prints a renewal of the refreshable JWT in ITSYOU_JWT (its own
scopes and audiences; 24 hours, or --validity), e.g. in a job that outlives it.

Deno permissions, the narrowest that work: --allow-net=itsyou.online (or your
server's host:port), --allow-env with the three variables above (for --derive
and --refresh: --allow-env=ITSYOU_JWT,ITSYOU_BASE_URL), and --allow-read=FILE for --public-key FILE.

Flags:
  --scope LIST         JWT scopes, comma-separated (default: all granted; with --derive: none)
  --audience LIST      JWT audiences, comma-separated
  --validity SECONDS   JWT lifetime, 1 to 86400 (with --derive: at most the parent's remaining life)
  --refreshable        ask for a refreshable JWT (offline_access; not with --derive)
  --derive             derive from the JWT in ITSYOU_JWT instead of using the credentials
  --refresh            renew the refreshable JWT in ITSYOU_JWT (with --validity, --json, --verify)
  --base-url URL       a self-hosted server (or ITSYOU_BASE_URL; default https://itsyou.online)
  --access-token       print the access token instead of a JWT
  --json               print the whole result as JSON (with the JWT's decoded claims)
  --verify             verify the JWT before printing it
  --public-key FILE    the PEM to verify with (default: itsyou.online's key)
  --help               show this help
`;
/** Exit status 2: the command line itself is wrong. */
class UsageError extends Error {
}
/** stdout could not be written. */
class OutputError extends Error {
    code;
    constructor(code) {
        super(`cannot write the result to stdout (${code}); check where stdout goes (a full disk, a closed file)`);
        this.code = code;
    }
}
// Write failures arrive through write()'s callback; without a listener they would also end the process with a stack trace.
node_process__WEBPACK_IMPORTED_MODULE_1___default().stdout.on("error", () => { });
/** Writes to stdout and waits until it is written, so that a failure is ours to report. */
function print(text) {
    const failed = (error) => {
        const code = error.code;
        return new OutputError(typeof code === "string" ? code : error.name);
    };
    return new Promise((resolve, reject) => {
        try {
            // Node reports a failure to the callback; Deno may throw it at once.
            node_process__WEBPACK_IMPORTED_MODULE_1___default().stdout.write(text, (error) => (error ? reject(failed(error)) : resolve()));
        }
        catch (error) {
            reject(failed(error));
        }
    });
}
/** Runs mod.ts's own check of a flag's value; its complaint is a usage error. */
function checkFlag(flag, check) {
    try {
        check();
    }
    catch (error) {
        throw new UsageError(`${flag}: ${error instanceof Error ? error.message.replace(/\.$/, "") : error}`);
    }
}
const FLAGS = {
    scope: { type: "string" },
    audience: { type: "string" },
    validity: { type: "string" },
    refreshable: { type: "boolean" },
    "base-url": { type: "string" },
    "access-token": { type: "boolean" },
    derive: { type: "boolean" },
    refresh: { type: "boolean" },
    json: { type: "boolean" },
    verify: { type: "boolean" },
    "public-key": { type: "string" },
    help: { type: "boolean" },
};
async function main(args) {
    let flags;
    try {
        flags = parseFlags(args);
    }
    catch (error) {
        node_process__WEBPACK_IMPORTED_MODULE_1___default().stderr.write(`itsyou: ${error instanceof Error ? error.message : error}. Try --help.\n`);
        return 2;
    }
    if (flags.help) {
        await print(USAGE);
        return 0;
    }
    await print(await obtain(flags));
    return 0;
}
/** The command line, each flag's value and their combination checked; anything wrong is a UsageError. */
function parseFlags(args) {
    const { values } = (0,node_util__WEBPACK_IMPORTED_MODULE_2__.parseArgs)({ args, strict: true, options: FLAGS });
    if (values.validity !== undefined &&
        !(/^\d+$/.test(values.validity) && Number(values.validity) >= 1 &&
            Number(values.validity) <= _mod_js__WEBPACK_IMPORTED_MODULE_3__/* .LIMITS */ .b1.validitySeconds)) {
        throw new UsageError(`--validity takes a whole number of seconds from 1 to ${_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .LIMITS */ .b1.validitySeconds}`);
    }
    const baseUrlFlag = values["base-url"];
    if (baseUrlFlag !== undefined)
        checkFlag("--base-url", () => (0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .resolveBaseUrl */ .xj)(baseUrlFlag));
    for (const flag of ["scope", "audience"]) {
        if ((0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .hasControlCharacter */ .Fd)(values[flag] ?? "")) {
            throw new UsageError(`--${flag} contains a control character`);
        }
    }
    checkCombination(values);
    return values;
}
/** Refuses flags that do not apply together. */
function checkCombination(values) {
    if (values["access-token"] &&
        (values.verify || values["public-key"] || values.scope || values.audience || values.validity ||
            values.refreshable)) {
        throw new UsageError("--access-token prints the access token; JWT flags do not apply to it");
    }
    if (values["public-key"] && !values.verify)
        throw new UsageError("--public-key needs --verify");
    if (values.derive && values["access-token"]) {
        throw new UsageError("--derive prints a derived JWT; --access-token does not apply to it");
    }
    if (values.refresh) {
        const given = { derive: values.derive, "access-token": values["access-token"], scope: values.scope };
        const other = Object.entries({ ...given, audience: values.audience, refreshable: values.refreshable })
            .find(([, value]) => value)?.[0];
        if (other) {
            throw new UsageError(`--refresh renews the JWT in ITSYOU_JWT with its own scopes and audiences; --${other} does not apply to it`);
        }
    }
    if (values.derive && values.refreshable) {
        throw new UsageError("--derive never makes a refreshable JWT (whoever holds one can renew it for 30 days); leave out --refreshable");
    }
}
/** A secret from the environment: never an argument, where `ps` and shell history would show it. */
function secret(name) {
    const value = (node_process__WEBPACK_IMPORTED_MODULE_1___default().env)[name] ?? "";
    if (value === "") {
        throw new _mod_js__WEBPACK_IMPORTED_MODULE_3__/* .ItsYouOnlineError */ .bS("INVALID_ARGUMENT", `${name} is not set; export it (secrets are never taken as arguments).`);
    }
    return value;
}
/** What the flags ask for (an access token, or a JWT got, derived or refreshed, then verified), as the text to print. */
async function obtain(flags) {
    const baseUrl = flags["base-url"] ?? ((node_process__WEBPACK_IMPORTED_MODULE_1___default().env).ITSYOU_BASE_URL || undefined);
    const credentials = () => ({
        clientId: secret("ITSYOU_CLIENT_ID"),
        clientSecret: secret("ITSYOU_CLIENT_SECRET"),
    });
    if (flags["access-token"]) {
        const token = await (0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .getAccessToken */ .iD)({ ...credentials(), baseUrl });
        return flags.json ? `${JSON.stringify(token, null, 2)}\n` : `${token.accessToken}\n`;
    }
    const jwtOptions = {
        baseUrl,
        scope: flags.scope,
        audience: flags.audience,
        validity: flags.validity === undefined ? undefined : Number(flags.validity),
        refreshable: flags.refreshable,
    };
    // Refresh and delegation: the JWT comes from the environment too, as it is a secret.
    const jwt = flags.refresh
        ? await (0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .refreshJwt */ .dm)(secret("ITSYOU_JWT"), { baseUrl, validity: jwtOptions.validity })
        : flags.derive
            ? await (0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .deriveJwt */ .hn)(secret("ITSYOU_JWT"), jwtOptions)
            : await (0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .getJwt */ .Yt)(credentials(), jwtOptions);
    let claims = (0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .decodeJwt */ .iU)(jwt);
    if (flags.verify) {
        const publicKey = flags["public-key"] ? await readPublicKey(flags["public-key"]) : undefined;
        // The signature, issuer and expiry of a JWT just received, whoever its audience: the command is not its audience.
        claims = await (0,_mod_js__WEBPACK_IMPORTED_MODULE_3__/* .verifyJwt */ .J0)(jwt, { publicKey, anyAudience: true });
    }
    return flags.json ? `${JSON.stringify({ jwt, claims, verified: Boolean(flags.verify) }, null, 2)}\n` : `${jwt}\n`;
}
async function readPublicKey(path) {
    try {
        return await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(path, "utf8");
    }
    catch (error) {
        const reason = error.code ?? error.name;
        throw new _mod_js__WEBPACK_IMPORTED_MODULE_3__/* .ItsYouOnlineError */ .bS("INVALID_ARGUMENT", `Cannot read --public-key ${path} (${reason}); check the path, and run Deno with --allow-read=${path}.`);
    }
}
try {
    (node_process__WEBPACK_IMPORTED_MODULE_1___default().exitCode) = await main(node_process__WEBPACK_IMPORTED_MODULE_1___default().argv.slice(2));
}
catch (error) {
    (node_process__WEBPACK_IMPORTED_MODULE_1___default().exitCode) = 1;
    if (error instanceof OutputError && error.code === "EPIPE") {
        // The reader went away (`| head -c0`): nobody is left to tell, and it chose not to read.
        (node_process__WEBPACK_IMPORTED_MODULE_1___default().exitCode) = 0;
    }
    else if (error instanceof _mod_js__WEBPACK_IMPORTED_MODULE_3__/* .ItsYouOnlineError */ .bS) {
        // Its message holds no secret by contract.
        node_process__WEBPACK_IMPORTED_MODULE_1___default().stderr.write(`itsyou: ${error.code}: ${error.message}\n`);
    }
    else if (error instanceof OutputError) {
        node_process__WEBPACK_IMPORTED_MODULE_1___default().stderr.write(`itsyou: ${error.message}\n`);
    }
    else if (error instanceof Error && /^(NotCapable|PermissionDenied)$/.test(error.name)) {
        // Deno's own words name the missing flag (and only a variable name or a host).
        node_process__WEBPACK_IMPORTED_MODULE_1___default().stderr.write(`itsyou: ${error.message.split("\n")[0]}\n`);
    }
    else {
        // Anything else is reported by name only: its text could hold anything.
        node_process__WEBPACK_IMPORTED_MODULE_1___default().stderr.write(`itsyou: unexpected ${error instanceof Error ? error.name : typeof error}\n`);
    }
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ })

};
