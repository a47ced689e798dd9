export const id = 195;
export const ids = [195];
export const modules = {

/***/ 1195:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  checkBundle: () => (/* binding */ checkBundle),
  loadTrust: () => (/* reexport */ loadTrust)
});

// UNUSED EXPORTS: describeName, issuingInstance

// EXTERNAL MODULE: ./node_modules/@sigstore/bundle/dist/index.js
var dist = __webpack_require__(1040);
// EXTERNAL MODULE: ./node_modules/@sigstore/core/dist/index.js
var core_dist = __webpack_require__(3917);
// EXTERNAL MODULE: ./node_modules/@sigstore/verify/dist/index.js
var verify_dist = __webpack_require__(4187);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/@sigstore/protobuf-specs/dist/index.js
var protobuf_specs_dist = __webpack_require__(9654);
// EXTERNAL MODULE: ./node_modules/@sigstore/tuf/dist/index.js
var tuf_dist = __webpack_require__(4423);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/sign/trusted-root.ts
/**
 * Trusted roots, and what each Sigstore instance's bundles must carry, derived from the root itself —
 * never from what a bundle claims. As GitHub's verifiers (`gh attestation verify`, the
 * artifact-attestations OPA provider) apply it:
 * - a root with certificate-transparency logs (public-good): the certificate's SCT, and a
 *   transparency-log entry;
 * - a root without CT logs and without a transparency log, with a timestamp authority (GitHub's
 *   instance, for private and internal repositories): an RFC 3161 signed timestamp, no SCT, no log;
 * - otherwise: an SCT where the root has CT logs, and one verified timestamp of any kind.
 * `gh attestation trusted-root` prints JSON Lines: one root a line (public-good, then GitHub's), each
 * used for the certificates it issued.
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto
 */








/** Pure: what the bundles of an instance need, from the logs and authorities its root lists. */
function evidenceFor(root) {
    const ct = root.ctlogs.length > 0;
    const tlog = root.tlogs.length > 0;
    const tsa = root.timestampAuthorities.length > 0;
    if (!tlog && !tsa)
        return undefined;
    return { sct: ct, log: tlog && (ct || !tsa), signedTimestamp: tsa && !tlog };
}
/** A describable name for a root: its first certificate authority's URI, else its subject. */
function labelOf(root, n) {
    const ca = root.certificateAuthorities[0];
    return ca?.uri || ca?.subject?.organization || `trusted root ${n}`;
}
function instanceOf(json, where, n = 1) {
    let root;
    try {
        root = protobuf_specs_dist.TrustedRoot.fromJSON(json);
    }
    catch (e) {
        throw new errors/* UsageError */.eb(`trusted-root ${where} is not a Sigstore trusted root: ${e.message}`, {
            hint: 'give a trusted_root.json, or the JSON Lines `gh attestation trusted-root` prints'
        });
    }
    return instanceOfRoot(root, where, n);
}
function instanceOfRoot(root, where, n) {
    let material;
    try {
        material = (0,verify_dist/* toTrustMaterial */.jO)(root);
    }
    catch (e) {
        throw new errors/* UsageError */.eb(`trusted-root ${where} is not a Sigstore trusted root: ${e.message}`, {
            hint: 'give a trusted_root.json, or the JSON Lines `gh attestation trusted-root` prints'
        });
    }
    if (root.certificateAuthorities.length === 0)
        throw new errors/* UsageError */.eb(`trusted-root ${where} lists no certificate authority, so no keyless signature can verify against it`, {
            hint: 'give a trusted root with its Fulcio CA, e.g. from `gh attestation trusted-root`'
        });
    const evidence = evidenceFor(root);
    if (!evidence)
        throw new errors/* UsageError */.eb(`trusted-root ${where} lists neither a transparency log nor a timestamp authority, so nothing can date a signature`, {
            hint: 'give the complete trusted root, e.g. from `gh attestation trusted-root`'
        });
    return { label: labelOf(root, n), material, caCertificates: material.certificateAuthorities.flatMap(ca => ca.certChain), evidence };
}
/**
 * The roots a `trusted-root` file holds: one JSON document, or JSON Lines (one root a line, as
 * `gh attestation trusted-root` prints them).
 */
function parseTrustedRoots(text, path) {
    try {
        return [JSON.parse(text)];
    }
    catch {
        // not one document: JSON Lines
    }
    const roots = [];
    for (const [i, line] of text.split('\n').entries()) {
        if (!line.trim())
            continue;
        try {
            roots.push(JSON.parse(line));
        }
        catch (e) {
            throw new errors/* UsageError */.eb(`trusted-root ${path}: line ${i + 1} is not JSON (${e.message})`, {
                hint: 'give a trusted_root.json, or the JSON Lines `gh attestation trusted-root` prints, one root a line'
            });
        }
    }
    if (roots.length === 0)
        throw new errors/* UsageError */.eb(`trusted-root ${path} is empty`, { hint: 'give a trusted_root.json, e.g. from `gh attestation trusted-root`' });
    return roots;
}
async function loadTrust(trustedRootPath) {
    if (trustedRootPath) {
        let text;
        try {
            text = await (0,promises_.readFile)(trustedRootPath, 'utf8');
        }
        catch (e) {
            throw new errors/* UsageError */.eb(`trusted-root ${trustedRootPath} cannot be read (${e.code ?? e.message})`, {
                hint: 'give the path of a Sigstore trusted_root.json, e.g. from `gh attestation trusted-root > trusted_root.jsonl`'
            });
        }
        const roots = parseTrustedRoots(text, trustedRootPath);
        return roots.map((json, i) => instanceOf(json, roots.length > 1 ? `${trustedRootPath} (line ${i + 1})` : trustedRootPath, i + 1));
    }
    let root;
    try {
        root = await (0,tuf_dist.getTrustedRoot)({ cachePath: (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'obm-tuf-')) });
    }
    catch (e) {
        throw new errors/* OciError */.Mf('NETWORK', `get Sigstore's trusted root through TUF: ${e.message}`, {
            op: 'get trusted root',
            hint: 'check that the runner reaches tuf-repo-cdn.sigstore.dev, or give trusted-root (e.g. from `gh attestation trusted-root`)',
            cause: e
        });
    }
    return [instanceOfRoot(root, "Sigstore's public-good root (TUF)", 1)];
}

;// CONCATENATED MODULE: ./src/sign/sigstore-verify.ts
/**
 * Verifying a Sigstore bundle: the signature over the DSSE envelope, the certificate chain to the
 * trusted root whose CA issued the certificate, and the evidence that root's instance requires (an
 * SCT and a log entry for public-good, a signed timestamp for GitHub's: src/sign/trusted-root.ts).
 * Returns who signed and the statement; matching the signer, the subject and the predicate is the
 * gate's (pure) business. Loaded only when bundles are checked.
 */




/** Fulcio's source repository URI extension. https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md */
const SOURCE_REPOSITORY_URI_OID = '1.3.6.1.4.1.57264.1.12';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** X.520 attribute types named in messages. https://www.rfc-editor.org/rfc/rfc4519#section-2 */
const NAME_ATTRIBUTES = { '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C' };
/** DER length octets. */
function derLength(n) {
    if (n < 0x80)
        return Buffer.from([n]);
    const bytes = [];
    for (let v = n; v > 0; v = Math.floor(v / 256))
        bytes.unshift(v % 256);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}
/** `O=GitHub, Inc., CN=Fulcio Intermediate l2` from a Name's content (what X509Certificate.issuer gives: the SETs, no SEQUENCE header). */
function describeName(content) {
    try {
        const der = Buffer.concat([Buffer.from([0x30]), derLength(content.length), content]);
        const parts = [];
        for (const set of core_dist.ASN1Obj.parseBuffer(der).subs)
            for (const attr of set.subs) {
                const oid = attr.subs[0]?.toOID() ?? '';
                parts.push(`${NAME_ATTRIBUTES[oid] ?? oid}=${attr.subs[1]?.value.toString('utf8') ?? ''}`);
            }
        return parts.join(', ') || '(an empty name)';
    }
    catch {
        return '(an unreadable name)';
    }
}
function leafOf(bundle) {
    const vm = bundle.verificationMaterial.content;
    const raw = vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined;
    return raw ? core_dist.X509Certificate.parse(Buffer.from(raw)) : undefined;
}
function identityOf(cert) {
    const ext = cert.extension(SOURCE_REPOSITORY_URI_OID);
    let sourceRepository;
    if (ext) {
        try {
            sourceRepository = core_dist.ASN1Obj.parseBuffer(ext.value).value.toString('utf8');
        }
        catch {
            sourceRepository = undefined;
        }
    }
    return { san: cert.subjectAltName ?? '', ...(sourceRepository ? { sourceRepository } : {}) };
}
/** The trusted instance whose CA signed this certificate: checked cryptographically, not by name. */
function issuingInstance(leaf, trust) {
    return trust.find(t => t.caCertificates.some(ca => {
        if (!ca.subject.equals(leaf.issuer))
            return false;
        try {
            return leaf.verify(ca);
        }
        catch {
            return false;
        }
    }));
}
/** What the bundle lacks of the evidence its instance requires, in words; undefined when nothing. */
function missingEvidence(t, leaf, entity) {
    if (t.evidence.sct && !leaf.extSCT)
        return `its certificate carries no SCT, which certificates of ${t.label} must (its root has CT logs)`;
    if (t.evidence.log && entity.tlogEntries.length === 0)
        return `it has no transparency-log entry, which bundles certified by ${t.label} need`;
    if (t.evidence.signedTimestamp && !entity.timestamps.some(x => x.$case === 'timestamp-authority'))
        return `it has no RFC 3161 signed timestamp, which bundles certified by ${t.label} need (that instance keeps no transparency log)`;
    return undefined;
}
/** Verify one bundle (its JSON bytes). Never throws for a bad bundle: says why. */
function checkBundle(bytes, trust) {
    let bundle;
    try {
        bundle = (0,dist.bundleFromJSON)(JSON.parse(new TextDecoder().decode(bytes)));
    }
    catch (e) {
        return { verified: false, problem: `not a valid Sigstore bundle (${e.message})` };
    }
    let leaf;
    try {
        leaf = leafOf(bundle);
    }
    catch (e) {
        return { verified: false, problem: `its certificate cannot be read (${e.message})` };
    }
    if (!leaf)
        return { verified: false, problem: 'it is signed with a key, not a certificate, so it names no signer' };
    const identity = identityOf(leaf);
    const fail = (problem) => ({ verified: false, problem, identity });
    if (bundle.content.$case !== 'dsseEnvelope')
        return fail('the bundle signs a message, not an in-toto statement');
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
        return fail(`the bundle's payload is ${envelope.payloadType}, not an in-toto statement`);
    const instance = issuingInstance(leaf, trust);
    if (!instance)
        return fail(`its certificate was issued by "${describeName(leaf.issuer)}", a CA that the trusted root does not hold ` +
            `(trusted: ${trust.map(t => t.label).join(', ')}); for GitHub's instance give trusted-root from \`gh attestation trusted-root\``);
    const entity = (0,verify_dist/* toSignedEntity */.DC)(bundle);
    const missing = missingEvidence(instance, leaf, entity);
    if (missing)
        return fail(missing);
    let signer;
    try {
        const verifier = new verify_dist/* Verifier */.BL(instance.material, {
            ctlogThreshold: instance.evidence.sct ? 1 : 0,
            tlogThreshold: instance.evidence.log ? 1 : 0,
            timestampThreshold: 1
        });
        signer = verifier.verify(entity);
    }
    catch (e) {
        return fail(`its signature does not verify against ${instance.label}: ${e.message}`);
    }
    const issuer = signer.identity?.extensions?.issuer;
    const verified = { ...identity, san: signer.identity?.subjectAlternativeName ?? identity.san, ...(issuer ? { issuer } : {}) };
    let statement;
    try {
        statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
    }
    catch {
        return { verified: false, problem: 'the signed statement is not JSON', identity: verified };
    }
    return { verified: true, identity: verified, statement };
}


/***/ })

};
