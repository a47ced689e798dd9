export const id = 977;
export const ids = [977];
export const modules = {

/***/ 3977:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   signStatements: () => (/* binding */ signStatements)
/* harmony export */ });
/* unused harmony exports IN_TOTO_PAYLOAD_TYPE, SIGSTORE_TIMEOUT_MS, SIGSTORE_RETRIES */
/* harmony import */ var _sigstore_bundle__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1040);
/* harmony import */ var _sigstore_sign__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5179);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/**
 * Keyless signing through Sigstore, the way actions/attest signs: an in-toto statement in a DSSE
 * envelope, an ephemeral key certified by Fulcio for the OIDC identity, a transparency log entry
 * (Rekor) or a signed timestamp (TSA) as the witness, all in one v0.3 bundle.
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto
 * Loaded only when `sign: true`: the Sigstore client is most of its weight.
 */



const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Each request to Fulcio, Rekor or the TSA. */
const SIGSTORE_TIMEOUT_MS = 20_000;
const SIGSTORE_RETRIES = 2;
/** Sign each statement (exact bytes); returns each bundle as the JSON bytes to store. */
async function signStatements(statements, endpoints, tokens) {
    const common = { timeout: SIGSTORE_TIMEOUT_MS, retry: SIGSTORE_RETRIES };
    const witnesses = [];
    if (endpoints.rekorURL)
        witnesses.push(new _sigstore_sign__WEBPACK_IMPORTED_MODULE_1__/* .RekorWitness */ .fU({ rekorBaseURL: endpoints.rekorURL, fetchOnConflict: true, ...common }));
    if (endpoints.tsaURL)
        witnesses.push(new _sigstore_sign__WEBPACK_IMPORTED_MODULE_1__/* .TSAWitness */ .gs({ tsaBaseURL: endpoints.tsaURL, ...common }));
    const builder = new _sigstore_sign__WEBPACK_IMPORTED_MODULE_1__/* .DSSEBundleBuilder */ .VV({
        signer: new _sigstore_sign__WEBPACK_IMPORTED_MODULE_1__/* .FulcioSigner */ .$o({ identityProvider: { getToken: () => tokens.getToken() }, fulcioBaseURL: endpoints.fulcioURL, ...common }),
        witnesses
    });
    const out = [];
    for (const s of statements) {
        try {
            const bundle = await builder.create({ data: Buffer.from(s.bytes), type: IN_TOTO_PAYLOAD_TYPE });
            out.push(new TextEncoder().encode(JSON.stringify((0,_sigstore_bundle__WEBPACK_IMPORTED_MODULE_0__.bundleToJSON)(bundle))));
        }
        catch (e) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .OciError */ .Mf('NETWORK', `sign the ${s.label} with Sigstore (${endpoints.instance}, ${endpoints.fulcioURL}): ${describeCause(e)}`, {
                op: 'sign',
                hint: 're-run the job; check that the runner reaches the Sigstore instance and that the job has "permissions: id-token: write"',
                cause: e
            });
        }
    }
    return out;
}
function describeCause(e) {
    const parts = [];
    for (let c = e, i = 0; c instanceof Error && i < 4; c = c.cause, i++)
        parts.push(c.message);
    return parts.filter((p, i) => p && parts.indexOf(p) === i).join(': ') || String(e);
}


/***/ })

};
