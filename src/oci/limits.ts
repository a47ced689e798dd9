/**
 * Limits that several parts of the OCI client share.
 */

/**
 * The largest manifest read or written. Registries should accept manifests of at least 4 MiB and
 * may refuse larger ones (distribution answers 400 above it), so nothing larger is sent or trusted.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
