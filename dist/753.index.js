export const id = 753;
export const ids = [753];
export const modules = {

/***/ 753:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   checkBundle: () => (/* binding */ checkBundle),
/* harmony export */   loadTrust: () => (/* binding */ loadTrust)
/* harmony export */ });
/* harmony import */ var _sigstore_bundle__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1040);
/* harmony import */ var _sigstore_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3917);
/* harmony import */ var _sigstore_core__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(_sigstore_core__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9654);
/* harmony import */ var _sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(_sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _sigstore_tuf__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4423);
/* harmony import */ var _sigstore_verify__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4187);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_6___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_6__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_7___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_7__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_8___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_8__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(3916);
/**
 * Verifying a Sigstore bundle: the signature over the DSSE envelope, the certificate chain to a
 * trusted Fulcio, its SCT, and transparency evidence (a Rekor entry or an RFC 3161 timestamp from a
 * trusted authority), against a trusted root — from Sigstore's TUF repository by default, or a file
 * for air-gapped runners. Returns who signed and the statement; matching the signer and the subject
 * is the gate's (pure) business. Loaded only when a signer is required.
 */










/** Fulcio's source repository URI extension. https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md */
const SOURCE_REPOSITORY_URI_OID = '1.3.6.1.4.1.57264.1.12';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
async function loadTrust(trustedRootPath) {
    if (trustedRootPath) {
        let json;
        try {
            json = JSON.parse(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_5__.readFile)(trustedRootPath, 'utf8'));
        }
        catch (e) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_9__/* .UsageError */ .eb(`trusted-root ${trustedRootPath} cannot be read as JSON: ${e.code ?? e.message}`, {
                hint: 'give the path of a Sigstore trusted_root.json'
            });
        }
        try {
            return (0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .toTrustMaterial */ .jO)(_sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_2__.TrustedRoot.fromJSON(json));
        }
        catch (e) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_9__/* .UsageError */ .eb(`trusted-root ${trustedRootPath} is not a Sigstore trusted root: ${e.message}`, {
                hint: 'give a trusted_root.json, e.g. from `gh attestation trusted-root`'
            });
        }
    }
    try {
        return (0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .toTrustMaterial */ .jO)(await (0,_sigstore_tuf__WEBPACK_IMPORTED_MODULE_3__.getTrustedRoot)({ cachePath: (0,node_fs__WEBPACK_IMPORTED_MODULE_6__.mkdtempSync)((0,node_path__WEBPACK_IMPORTED_MODULE_8__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_7__.tmpdir)(), 'obm-tuf-')) }));
    }
    catch (e) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_9__/* .OciError */ .Mf('NETWORK', `get Sigstore's trusted root through TUF: ${e.message}`, {
            op: 'get trusted root',
            hint: 'check that the runner reaches tuf-repo-cdn.sigstore.dev, or give trusted-root (a trusted_root.json, e.g. from `gh attestation trusted-root`)',
            cause: e
        });
    }
}
function identityOf(bundle) {
    const vm = bundle.verificationMaterial.content;
    const raw = vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined;
    if (!raw)
        return undefined;
    const cert = _sigstore_core__WEBPACK_IMPORTED_MODULE_1__.X509Certificate.parse(Buffer.from(raw));
    const ext = cert.extension(SOURCE_REPOSITORY_URI_OID);
    let sourceRepository;
    if (ext) {
        try {
            sourceRepository = _sigstore_core__WEBPACK_IMPORTED_MODULE_1__.ASN1Obj.parseBuffer(ext.value).value.toString('utf8');
        }
        catch {
            sourceRepository = undefined;
        }
    }
    return { san: cert.subjectAltName ?? '', ...(sourceRepository ? { sourceRepository } : {}) };
}
/** Verify one bundle (its JSON bytes). Never throws for a bad bundle: says why. */
function checkBundle(bytes, trust) {
    let bundle;
    try {
        bundle = (0,_sigstore_bundle__WEBPACK_IMPORTED_MODULE_0__.bundleFromJSON)(JSON.parse(new TextDecoder().decode(bytes)));
    }
    catch (e) {
        return { verified: false, problem: `not a valid Sigstore bundle (${e.message})` };
    }
    let identity;
    try {
        identity = identityOf(bundle);
    }
    catch {
        identity = undefined;
    }
    if (bundle.content.$case !== 'dsseEnvelope')
        return { verified: false, problem: 'the bundle signs a message, not an in-toto statement', ...(identity ? { identity } : {}) };
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
        return { verified: false, problem: `the bundle's payload is ${envelope.payloadType}, not an in-toto statement`, ...(identity ? { identity } : {}) };
    try {
        // transparency evidence: a log entry where the bundle has one, else a signed timestamp (GitHub's instance)
        const verifier = new _sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .Verifier */ .BL(trust, { tlogThreshold: 0, ctlogThreshold: 1, timestampThreshold: 1 });
        const signer = verifier.verify((0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .toSignedEntity */ .DC)(bundle));
        const san = signer.identity?.subjectAlternativeName ?? identity?.san ?? '';
        const issuer = signer.identity?.extensions?.issuer;
        const verifiedIdentity = {
            san,
            ...(issuer ? { issuer } : {}),
            ...(identity?.sourceRepository ? { sourceRepository: identity.sourceRepository } : {})
        };
        let statement;
        try {
            statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
        }
        catch {
            return { verified: false, problem: 'the signed statement is not JSON', identity: verifiedIdentity };
        }
        return { verified: true, identity: verifiedIdentity, statement };
    }
    catch (e) {
        return { verified: false, problem: `its signature does not verify: ${e.message}`, ...(identity ? { identity } : {}) };
    }
}


/***/ })

};
